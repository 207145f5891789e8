// Benchmark-only page, never shipped: a minimal three.js viewer that loads the
// same bytes as ours and times itself the same way: from "bytes in memory" to
// "parsed", and to "first frame finished on the GPU". Results go to
// document.body.dataset, like the viewer's own timings.
//
// ?model=URL&format=stl|glb&width=W&height=H; without a model the page only
// loads (the benchmark weighs it).
import {
  Box3,
  DirectionalLight,
  Mesh,
  MeshStandardMaterial,
  PerspectiveCamera,
  Scene,
  Sphere,
  WebGLRenderer,
} from './three/build/three.module.js';
import { GLTFLoader } from './three/loaders/GLTFLoader.js';
import { STLLoader } from './three/loaders/STLLoader.js';

const params = new URLSearchParams(location.search);
const data = document.body.dataset;

// Our viewer has no MSAA either, and draws at the canvas's pixel size.
const renderer = new WebGLRenderer({ canvas: document.getElementById('view'), antialias: false });
renderer.setPixelRatio(1);
renderer.setSize(Number(params.get('width')) || 900, Number(params.get('height')) || 640);

async function parse(buffer, format) {
  if (format === 'stl') return new Mesh(new STLLoader().parse(buffer), new MeshStandardMaterial());
  return (await new GLTFLoader().parseAsync(buffer, '')).scene;
}

function countTriangles(object) {
  let triangles = 0;
  object.traverse((o) => {
    if (!o.isMesh) return;
    const g = o.geometry;
    triangles += (g.index ? g.index.count : g.attributes.position.count) / 3;
  });
  return triangles;
}

// A camera that frames the model's bounding sphere, and one light at the camera.
function sceneFor(object) {
  const scene = new Scene();
  scene.add(object);
  const sphere = new Box3().setFromObject(object).getBoundingSphere(new Sphere());
  const camera = new PerspectiveCamera(45, renderer.domElement.width / renderer.domElement.height, sphere.radius / 100, sphere.radius * 100);
  camera.position.copy(sphere.center).add({ x: 1.25 * sphere.radius, y: -1.25 * sphere.radius, z: 2.5 * sphere.radius });
  camera.up.set(0, 0, 1);
  camera.lookAt(sphere.center);
  const light = new DirectionalLight(0xffffff, 3);
  light.position.copy(camera.position);
  scene.add(light);
  return { scene, camera };
}

async function run(url, format) {
  const buffer = await (await fetch(url)).arrayBuffer();
  const inMemory = performance.now();
  const object = await parse(buffer, format);
  const parsed = performance.now();
  const { scene, camera } = sceneFor(object);
  renderer.render(scene, camera);
  // render() only queues GL commands: finish() and a 1-pixel readPixels wait for them.
  const gl = renderer.getContext();
  gl.finish();
  gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, new Uint8Array(4));
  const drawn = performance.now();
  data.parseMs = (parsed - inMemory).toFixed(1);
  data.firstFrameMs = (drawn - inMemory).toFixed(1);
  data.triangles = String(countTriangles(object));
}

const url = params.get('model');
if (!url) {
  data.state = 'ready';
} else {
  run(url, params.get('format')).then(
    () => (data.state = 'loaded'),
    (e) => {
      data.error = String(e?.message || e);
      data.state = 'error';
    },
  );
}
