//! Disjoint sets over `0..n`, for shells (vertices) and fans (triangle corners).

pub(crate) struct UnionFind {
    parent: Vec<u32>,
}

impl UnionFind {
    pub(crate) fn new(len: usize) -> UnionFind {
        UnionFind { parent: (0..len as u32).collect() }
    }

    pub(crate) fn find(&mut self, mut x: u32) -> u32 {
        // Path halving: every other node on the way points to its grandparent,
        // keeping trees flat without recursion.
        while self.parent[x as usize] != x {
            let grandparent = self.parent[self.parent[x as usize] as usize];
            self.parent[x as usize] = grandparent;
            x = grandparent;
        }
        x
    }

    pub(crate) fn union(&mut self, a: u32, b: u32) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            // The smaller root wins, so results do not depend on the order of unions.
            let (keep, join) = if ra < rb { (ra, rb) } else { (rb, ra) };
            self.parent[join as usize] = keep;
        }
    }
}
