// The measurement geometry (web/page/measure-geometry.js) on known shapes; no browser needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { angleAt, circlePoints, circleThrough, distance, faceAngle, parallelDistance } from '../../web/page/measure-geometry.js';

const close = (a, b, eps = 1e-9) => assert.ok(Math.abs(a - b) <= eps, `${a} ≈ ${b}`);

test('distances and angles at a corner', () => {
  close(distance([0, 0, 0], [3, 4, 12]), 13);
  close(angleAt([10, 0, 0], [0, 0, 0], [0, 10, 0]), 90);
  close(angleAt([1, 0, 0], [0, 0, 0], [1, 1, 0]), 45);
  close(angleAt([1, 0, 0], [0, 0, 0], [-1, 0, 0]), 180);
  assert.equal(angleAt([0, 0, 0], [0, 0, 0], [1, 0, 0]), null);
});

test('the circle through three points of a hole', () => {
  // Three points of a circle of radius 5 around (1, 2, 3) in a tilted plane.
  const center = [1, 2, 3];
  const u = [1 / Math.SQRT2, 1 / Math.SQRT2, 0];
  const v = [0, 0, 1];
  const at = (t) => center.map((c, k) => c + 5 * (Math.cos(t) * u[k] + Math.sin(t) * v[k]));
  const circle = circleThrough(at(0.1), at(2), at(4));
  circle.center.forEach((c, k) => close(c, center[k], 1e-9));
  close(circle.radius, 5, 1e-9);
  for (const p of circlePoints(circle, 16)) close(distance(p, center), 5, 1e-9);
  assert.equal(circleThrough([0, 0, 0], [1, 1, 1], [2, 2, 2]), null, 'points in a line');
});

test('faces: included angle and parallel distance', () => {
  close(faceAngle([1, 0, 0], [0, 0, 1]), 90);
  close(faceAngle([0, 0, 1], [0, 0, 1]), 180);
  close(faceAngle([0, 0, 1], [0, 0, -1]), 0);
  assert.deepEqual(parallelDistance([0, 0, 0], [0, 0, 1], [7, 3, 20], [0, 0, -1]), { value: 20 });
  const skew = parallelDistance([0, 0, 0], [0, 0, 1], [0, 0, 5], [0, Math.sin(0.2), Math.cos(0.2)]);
  assert.match(skew.error, /from parallel/);
});
