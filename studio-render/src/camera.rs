//! Orbit camera around a target point: yaw/pitch/distance from mouse, touch and
//! keyboard input; perspective or orthographic projection; fit-to-view.
//!
//! The camera works in a "view world" whose up axis is +Y. A Z-up model is
//! rotated into it by [`up_from_model`](crate::camera::up_from_model), so orbiting always turns about the
//! model's own vertical axis.

use glam::camera::rh::{proj::directx as proj, view};
use glam::{Mat4, Vec3};

// wgpu's clip space has depth in [0, 1] and Y up, which is glam's DirectX convention.

use studio_model::model::{Aabb, UpAxis};

/// How the view is projected onto the screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Projection {
    /// Perspective with a 45° vertical field of view: farther things look smaller.
    Perspective,
    /// Parallel projection, no foreshortening: sizes compare directly; the visible height matches perspective's at the target distance.
    Orthographic,
}

const VERTICAL_FOV_RADIANS: f32 = 45.0 * std::f32::consts::PI / 180.0;
const PITCH_LIMIT_RADIANS: f32 = 89.0 * std::f32::consts::PI / 180.0;

/// A camera orbiting a target point in the Y-up view world; lengths in the model's units.
#[derive(Clone, Debug)]
pub struct OrbitCamera {
    /// The point looked at and orbited about, in the view world.
    pub target: Vec3,
    /// Distance from the eye to the target, in model units.
    pub distance: f32,
    /// Rotation about the vertical axis, radians.
    pub yaw: f32,
    /// Elevation above the horizontal plane, radians.
    pub pitch: f32,
    /// Perspective or orthographic projection.
    pub projection: Projection,
    /// Radius of the fitted model; sets clip planes and pan/zoom speeds.
    pub scene_radius: f32,
}

impl Default for OrbitCamera {
    fn default() -> Self {
        OrbitCamera {
            target: Vec3::ZERO,
            distance: 3.0,
            yaw: std::f32::consts::FRAC_PI_4,
            pitch: 0.5,
            projection: Projection::Perspective,
            scene_radius: 1.0,
        }
    }
}

/// Rotation that takes model coordinates into the Y-up view world.
pub fn up_from_model(up: UpAxis) -> Mat4 {
    match up {
        UpAxis::Y => Mat4::IDENTITY,
        // Z-up → Y-up: rotate -90° about X, so +Z becomes +Y and +Y becomes -Z.
        UpAxis::Z => Mat4::from_rotation_x(-std::f32::consts::FRAC_PI_2),
    }
}

/// Where the camera looks from, as saved in a share's view state and as the
/// embed page's initial-camera option. Angles in radians, lengths in the
/// model's units; the projection travels separately with the display options.
///
/// It crosses to JavaScript as JSON with the field names of the page's
/// `CameraPose` (`web/shared/protocol.js`): `{"target": [x, y, z], "distance": d,
/// "yaw": a, "pitch": b}`. Parsing checks only the shape; [`OrbitCamera::set_pose`]
/// refuses non-finite numbers.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CameraPose {
    /// The point looked at, in the view world (model units, Y up).
    pub target: [f32; 3],
    /// Distance from the eye to the target, in model units.
    pub distance: f32,
    /// Rotation about the vertical axis, radians.
    #[serde(rename = "yaw")]
    pub yaw_radians: f32,
    /// Elevation above the horizontal plane, radians.
    #[serde(rename = "pitch")]
    pub pitch_radians: f32,
}

impl OrbitCamera {
    /// The camera's current pose, for saving in a share or an embed link.
    pub fn pose(&self) -> CameraPose {
        CameraPose {
            target: self.target.to_array(),
            distance: self.distance,
            yaw_radians: self.yaw,
            pitch_radians: self.pitch,
        }
    }

    /// Applies a pose from untrusted input (a share payload or a URL): non-finite
    /// numbers leave the camera as it is; pitch and distance are clamped to what
    /// the controls allow, relative to the model fitted last.
    pub fn set_pose(&mut self, pose: &CameraPose) -> bool {
        let numbers =
            [pose.target[0], pose.target[1], pose.target[2], pose.distance, pose.yaw_radians, pose.pitch_radians];
        if !numbers.iter().all(|n| n.is_finite()) || pose.distance <= 0.0 {
            return false;
        }
        self.target = Vec3::from_array(pose.target);
        self.distance = pose.distance.clamp(self.scene_radius * 1e-3, self.scene_radius * 1e3);
        self.yaw = pose.yaw_radians.rem_euclid(std::f32::consts::TAU);
        self.pitch = pose.pitch_radians.clamp(-PITCH_LIMIT_RADIANS, PITCH_LIMIT_RADIANS);
        true
    }

    /// Frames a bounding box (in view-world space) from the default 3/4 angle.
    pub fn fit(&mut self, bounds: &Aabb) {
        let radius = (bounds.size().length() * 0.5).max(1e-6);
        self.target = bounds.center();
        self.scene_radius = radius;
        self.yaw = std::f32::consts::FRAC_PI_4;
        self.pitch = 0.5;
        // Distance at which the bounding sphere fits the vertical field of view, with a
        // margin for perspective bulge, the toolbar and a landscape-or-portrait canvas.
        self.distance = radius / (VERTICAL_FOV_RADIANS * 0.5).sin() * 1.5;
    }

    /// The eye position in the view world: `distance` from the target, along yaw and pitch.
    pub fn eye(&self) -> Vec3 {
        let dir = Vec3::new(self.pitch.cos() * self.yaw.sin(), self.pitch.sin(), self.pitch.cos() * self.yaw.cos());
        self.target + dir * self.distance
    }

    /// The view matrix: view-world coordinates to camera space (right-handed, looking down −Z).
    pub fn view_from_world(&self) -> Mat4 {
        view::look_at_mat4(self.eye(), self.target, Vec3::Y)
    }

    /// The projection matrix for a viewport of `aspect` (width ÷ height), to wgpu clip space (depth 0..1); near and far planes follow the model's size.
    pub fn clip_from_view(&self, aspect: f32) -> Mat4 {
        let aspect = aspect.max(1e-3);
        // Clip planes follow the model size so that tiny and huge models both render.
        let near = (self.distance - self.scene_radius * 2.0).max(self.distance * 1e-3);
        let far = self.distance + self.scene_radius * 4.0;
        match self.projection {
            Projection::Perspective => proj::perspective(VERTICAL_FOV_RADIANS, aspect, near, far),
            Projection::Orthographic => {
                let half_height = self.distance * (VERTICAL_FOV_RADIANS * 0.5).tan();
                let half_width = half_height * aspect;
                proj::orthographic(-half_width, half_width, -half_height, half_height, near, far)
            }
        }
    }

    /// Rotates by a drag of `dx, dy` pixels (a full-height drag turns about 180°).
    pub fn orbit(&mut self, dx_px: f32, dy_px: f32, viewport_height_px: f32) {
        let radians_per_px = std::f32::consts::PI / viewport_height_px.max(1.0);
        self.yaw -= dx_px * radians_per_px;
        self.pitch = (self.pitch + dy_px * radians_per_px).clamp(-PITCH_LIMIT_RADIANS, PITCH_LIMIT_RADIANS);
    }

    /// Moves the target so that the model follows the pointer.
    pub fn pan(&mut self, dx_px: f32, dy_px: f32, viewport_height_px: f32) {
        let world_per_px = 2.0 * self.distance * (VERTICAL_FOV_RADIANS * 0.5).tan() / viewport_height_px.max(1.0);
        let view = self.view_from_world();
        let right = Vec3::new(view.x_axis.x, view.y_axis.x, view.z_axis.x);
        let up = Vec3::new(view.x_axis.y, view.y_axis.y, view.z_axis.y);
        self.target += (-right * dx_px + up * dy_px) * world_per_px;
    }

    /// Zooms by a factor (> 1 moves closer), bounded relative to the model size.
    pub fn zoom(&mut self, factor: f32) {
        if factor.is_finite() && factor > 0.0 {
            self.distance = (self.distance / factor).clamp(self.scene_radius * 1e-3, self.scene_radius * 1e3);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pose_round_trips_and_rejects_non_finite_numbers() {
        let mut camera = OrbitCamera { scene_radius: 10.0, ..OrbitCamera::default() };
        let pose = CameraPose { target: [1.0, 2.0, 3.0], distance: 25.0, yaw_radians: 1.0, pitch_radians: 0.25 };
        assert!(camera.set_pose(&pose));
        assert_eq!(camera.pose(), pose);

        let bad = CameraPose { distance: f32::NAN, ..pose };
        assert!(!camera.set_pose(&bad));
        assert_eq!(camera.pose(), pose, "a rejected pose changes nothing");

        let extreme = CameraPose { distance: 1e9, pitch_radians: 3.0, ..pose };
        assert!(camera.set_pose(&extreme));
        assert_eq!(camera.distance, 10.0 * 1e3);
        assert!(camera.pitch < std::f32::consts::FRAC_PI_2);
    }

    /// What `Viewer.setCameraPose` does with the page's JSON: parse, then `set_pose`.
    fn set_pose_json(camera: &mut OrbitCamera, json: &str) -> bool {
        serde_json::from_str::<CameraPose>(json).is_ok_and(|pose| camera.set_pose(&pose))
    }

    #[test]
    fn pose_crosses_as_json_and_malformed_or_non_finite_json_is_refused() {
        let mut camera = OrbitCamera { scene_radius: 10.0, ..OrbitCamera::default() };
        let pose = CameraPose { target: [1.0, 2.0, 3.0], distance: 25.0, yaw_radians: 1.0, pitch_radians: 0.25 };
        let json = serde_json::to_string(&pose).expect("serialises");
        assert_eq!(json, r#"{"target":[1.0,2.0,3.0],"distance":25.0,"yaw":1.0,"pitch":0.25}"#);
        assert_eq!(serde_json::from_str::<CameraPose>(&json).expect("parses"), pose);
        assert!(set_pose_json(&mut camera, &json));
        assert_eq!(camera.pose(), pose);

        let refused = [
            "",
            "[1, 2, 3, 25, 1, 0.25]",
            r#"{"target":[1,2],"distance":25,"yaw":1,"pitch":0.25}"#,
            r#"{"target":[1,2,3,4],"distance":25,"yaw":1,"pitch":0.25}"#,
            r#"{"target":[1,2,3],"distance":25,"yaw":1}"#,
            r#"{"target":[1,2,3],"distance":"25","yaw":1,"pitch":0.25}"#,
            // JSON.stringify writes NaN and Infinity as null.
            r#"{"target":[1,null,3],"distance":25,"yaw":1,"pitch":0.25}"#,
            // Finite in JSON, infinite as f32.
            r#"{"target":[1,2,3],"distance":1e39,"yaw":1,"pitch":0.25}"#,
            r#"{"target":[1,2,3],"distance":0,"yaw":1,"pitch":0.25}"#,
        ];
        for json in refused {
            assert!(!set_pose_json(&mut camera, json), "{json} should be refused");
            assert_eq!(camera.pose(), pose, "a refused pose changes nothing ({json})");
        }
    }
}
