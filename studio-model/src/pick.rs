//! Picking: which surface point of the model is under the pointer.
//!
//! [`bvh`](crate::pick::bvh) finds the first triangle along a ray; [`picker`](crate::pick::picker) puts every part of
//! a scene into one hierarchy, turns pixels into rays and snaps to vertices and
//! edges; [`ray`](crate::pick::ray) holds the geometry. Plain Rust, tested natively; the worker
//! builds the picker after a model is shown.

pub mod bvh;
pub mod picker;
pub mod ray;
