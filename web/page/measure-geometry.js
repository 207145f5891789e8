// @ts-check
// The geometry behind each measurement, on points and unit normals given as
// [x, y, z] arrays in the model's units. Pure functions: tested in Node
// (tests/browser/measure-geometry.test.mjs) and used by web/page/measure.js.

export const sub = (a, b) => a.map((c, k) => c - b[k]);
export const add = (a, b) => a.map((c, k) => c + b[k]);
export const scale = (a, s) => a.map((c) => c * s);
export const dot = (a, b) => a.reduce((s, c, k) => s + c * b[k], 0);
export const cross = (a, b) => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
export const length = (a) => Math.hypot(...a);
const degrees = (radians) => (radians * 180) / Math.PI;
const clampUnit = (x) => Math.min(1, Math.max(-1, x));

export function distance(a, b) {
  return length(sub(b, a));
}

// The angle at `b` between the rays to `a` and to `c`, in degrees; null when
// a ray has no length.
export function angleAt(a, b, c) {
  const [u, v] = [sub(a, b), sub(c, b)];
  const lengths = length(u) * length(v);
  return lengths > 0 ? degrees(Math.acos(clampUnit(dot(u, v) / lengths))) : null;
}

// The circle through three points: { center, radius, normal }, or null when
// they are (nearly) in a line.
export function circleThrough(a, b, c) {
  const [ab, ac] = [sub(b, a), sub(c, a)];
  const n = cross(ab, ac);
  const n2 = dot(n, n);
  const scaleOfPoints = Math.max(dot(ab, ab), dot(ac, ac));
  if (!(n2 > 1e-12 * scaleOfPoints * scaleOfPoints)) return null;
  // a + (|ac|² (n × ab) + |ab|² (ac × n)) / (2 |n|²)
  const offset = scale(add(scale(cross(n, ab), dot(ac, ac)), scale(cross(ac, n), dot(ab, ab))), 1 / (2 * n2));
  const center = add(a, offset);
  return { center, radius: length(offset), normal: scale(n, 1 / Math.sqrt(n2)) };
}

// The included angle between two faces given by their outward normals, in
// degrees: 90 for two sides of a cube, 180 for one flat surface.
export function faceAngle(n1, n2) {
  return 180 - degrees(Math.acos(clampUnit(dot(n1, n2))));
}

// Parallel faces (normals within `toleranceDeg` of parallel or opposed): the
// distance between their planes, measured along the first face's normal;
// else { error } with the angle between them.
export function parallelDistance(p1, n1, p2, n2, toleranceDeg = 2) {
  const between = degrees(Math.acos(clampUnit(Math.abs(dot(n1, n2)))));
  if (between > toleranceDeg) return { error: `the faces are ${Number(between.toPrecision(3))}° from parallel` };
  return { value: Math.abs(dot(sub(p2, p1), n1)) };
}

// Points of a circle, as a closed polyline of `segments` chords.
export function circlePoints({ center, radius, normal }, segments = 64) {
  const helper = Math.abs(normal[0]) < 0.9 ? [1, 0, 0] : [0, 1, 0];
  const u = scale(cross(normal, helper), 1 / length(cross(normal, helper)));
  const v = cross(normal, u);
  const points = [];
  for (let i = 0; i <= segments; i += 1) {
    const t = (i / segments) * 2 * Math.PI;
    points.push(add(center, add(scale(u, radius * Math.cos(t)), scale(v, radius * Math.sin(t)))));
  }
  return points;
}
