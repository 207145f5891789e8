// @ts-check
// Mesh health problems as the inspection names them (its JSON fields) and as
// the panel and the report word them.
export const PROBLEMS = [
  ['boundary_edges', 'Boundary edges (holes)'],
  ['non_manifold_edges', 'Non-manifold edges'],
  ['non_manifold_vertices', 'Non-manifold vertices'],
  ['inconsistent_edges', 'Inconsistent winding (edges)'],
  ['inverted_shells', 'Inverted shells'],
  ['degenerate_triangles', 'Degenerate triangles'],
  ['duplicate_triangles', 'Duplicate triangles'],
];
