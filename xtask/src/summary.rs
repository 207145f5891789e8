//! Adds up the pass/fail counts that cargo test and node --test print.

#[derive(Default, Debug, PartialEq)]
pub struct Counts {
    pub passed: u64,
    pub failed: u64,
}

impl Counts {
    pub fn add(&mut self, other: Counts) {
        self.passed += other.passed;
        self.failed += other.failed;
    }
}

/// `test result: ok. 12 passed; 0 failed; ...` lines from cargo test.
pub fn cargo_counts(output: &str) -> Counts {
    let mut counts = Counts::default();
    for line in output.lines().filter(|l| l.trim_start().starts_with("test result:")) {
        counts.passed += number_before(line, " passed");
        counts.failed += number_before(line, " failed");
    }
    counts
}

/// `# pass 5` / `# fail 0` (TAP) or `ℹ pass 5` (spec reporter) lines from node --test.
pub fn node_counts(output: &str) -> Counts {
    let mut counts = Counts::default();
    for line in output.lines() {
        let line = line.trim_start_matches(['#', 'ℹ', ' ']);
        if let Some(n) = line.strip_prefix("pass ") {
            counts.passed += n.trim().parse::<u64>().unwrap_or(0);
        } else if let Some(n) = line.strip_prefix("fail ") {
            counts.failed += n.trim().parse::<u64>().unwrap_or(0);
        }
    }
    counts
}

/// The last `N passed, N failed` line a tool printed on its own (our scripts).
/// A tool that printed none counts as one failure, so silence never passes.
pub fn plain_counts(output: &str) -> Counts {
    let line = output.lines().rev().map(str::trim).find(|l| l.ends_with(" failed") && l.contains(" passed, "));
    match line {
        Some(line) => Counts { passed: number_before(line, " passed"), failed: number_before(line, " failed") },
        None => Counts { passed: 0, failed: 1 },
    }
}

fn number_before(line: &str, label: &str) -> u64 {
    line.find(label)
        .and_then(|end| line[..end].rsplit(|c: char| !c.is_ascii_digit()).next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cargo_and_node_summaries() {
        let cargo = "test result: ok. 12 passed; 0 failed; 1 ignored\ntest result: FAILED. 3 passed; 2 failed;";
        assert_eq!(cargo_counts(cargo), Counts { passed: 15, failed: 2 });
        let node = "# tests 7\n# pass 6\n# fail 1\nℹ pass 2\n";
        assert_eq!(node_counts(node), Counts { passed: 8, failed: 1 });
        assert_eq!(plain_counts("noise\n9 passed, 0 failed\n"), Counts { passed: 9, failed: 0 });
        assert_eq!(plain_counts("it crashed"), Counts { passed: 0, failed: 1 });
    }
}
