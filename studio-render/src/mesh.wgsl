// Mesh shading: base colour (factor × texture × vertex colour) lit by a
// headlight-style key light plus a hemisphere fill, so every side of a part
// stays readable. Colours are computed in linear space and encoded to sRGB
// here because the render targets are plain (non-sRGB) RGBA8/BGRA8.

struct Frame {
    clip_from_world: mat4x4<f32>,
    eye_in_world: vec4<f32>,
    light_dir_in_world: vec4<f32>,
    // x: 1 = flat shading from screen-space derivatives, y: 1 = encode output to sRGB,
    // z: 1 = section plane on
    flags: vec4<f32>,
    wire_color: vec4<f32>,
    // Section plane (normal, offset) in the world: the normal's side is cut away.
    section_plane: vec4<f32>,
};

// Linear colour of the cut's cap.
const CAP_COLOR: vec3<f32> = vec3<f32>(0.75, 0.18, 0.12);

struct Draw {
    world_from_mesh: mat4x4<f32>,
    normal_from_mesh: mat4x4<f32>,
    base_color_factor: vec4<f32>,
    // x: alpha cutoff (negative = no cutoff), y: metallic, z: roughness
    material: vec4<f32>,
};

@group(0) @binding(0) var<uniform> frame: Frame;
@group(1) @binding(0) var<uniform> draw: Draw;
@group(2) @binding(0) var base_color_texture: texture_2d<f32>;
@group(2) @binding(1) var base_color_sampler: sampler;

struct VertexOut {
    @builtin(position) clip_position: vec4<f32>,
    @location(0) position_in_world: vec3<f32>,
    @location(1) normal_in_world: vec3<f32>,
    @location(2) uv: vec2<f32>,
    @location(3) color: vec4<f32>,
};

fn to_world(position: vec3<f32>) -> vec4<f32> {
    return draw.world_from_mesh * vec4<f32>(position, 1.0);
}

fn shade_vertex(position: vec3<f32>, normal: vec3<f32>, uv: vec2<f32>, color: vec4<f32>) -> VertexOut {
    var out: VertexOut;
    let world = to_world(position);
    out.position_in_world = world.xyz;
    out.clip_position = frame.clip_from_world * world;
    out.normal_in_world = (draw.normal_from_mesh * vec4<f32>(normal, 0.0)).xyz;
    out.uv = uv;
    out.color = color;
    return out;
}

@vertex
fn vs_uv(@location(0) position: vec3<f32>, @location(1) normal: vec3<f32>, @location(2) uv: vec2<f32>) -> VertexOut {
    return shade_vertex(position, normal, uv, vec4<f32>(1.0));
}

@vertex
fn vs_color(@location(0) position: vec3<f32>, @location(1) normal: vec3<f32>, @location(3) color: vec4<f32>) -> VertexOut {
    return shade_vertex(position, normal, vec2<f32>(0.0), color);
}

@vertex
fn vs_uv_color(
    @location(0) position: vec3<f32>,
    @location(1) normal: vec3<f32>,
    @location(2) uv: vec2<f32>,
    @location(3) color: vec4<f32>,
) -> VertexOut {
    return shade_vertex(position, normal, uv, color);
}

fn encode_srgb(linear: vec3<f32>) -> vec3<f32> {
    let c = clamp(linear, vec3<f32>(0.0), vec3<f32>(1.0));
    let low = c * 12.92;
    let high = 1.055 * pow(c, vec3<f32>(1.0 / 2.4)) - 0.055;
    return select(high, low, c <= vec3<f32>(0.0031308));
}

fn finish(linear: vec3<f32>, alpha: f32) -> vec4<f32> {
    if (frame.flags.y > 0.5) {
        return vec4<f32>(encode_srgb(linear), alpha);
    }
    return vec4<f32>(linear, alpha);
}

// The lit colour of a surface point: the section cut, then key, fill and
// specular light. `flat_normal` comes from screen-space derivatives, which the
// callers take in uniform control flow (before any discard); `faceted` surfaces
// have no vertex normals and always use it.
fn shade(
    base: vec4<f32>,
    position_in_world: vec3<f32>,
    normal_in_world: vec3<f32>,
    flat_normal: vec3<f32>,
    faceted: bool,
    front_facing: bool,
) -> vec4<f32> {
    if (draw.material.x >= 0.0 && base.a < draw.material.x) {
        discard;
    }
    if (frame.flags.z > 0.5) {
        if (dot(frame.section_plane.xyz, position_in_world) > frame.section_plane.w) {
            discard;
        }
        // Through the cut one sees the inside of the surface, its back faces: drawn
        // flat in the cap colour, they fill the section of a closed model.
        if (!front_facing) {
            return finish(CAP_COLOR, 1.0);
        }
    }
    let to_eye = normalize(frame.eye_in_world.xyz - position_in_world);
    var n: vec3<f32>;
    if (faceted || frame.flags.x > 0.5) {
        // The face normal's sign depends on the screen's handedness, so orient it
        // towards the viewer instead.
        n = normalize(flat_normal);
        if (dot(n, to_eye) < 0.0) { n = -n; }
    } else {
        n = normalize(normal_in_world);
        if (!front_facing) { n = -n; }
    }
    let l = normalize(frame.light_dir_in_world.xyz);
    let key = max(dot(n, l), 0.0);
    let fill = 0.5 + 0.5 * n.y;
    let h = normalize(l + to_eye);
    let shininess = mix(64.0, 4.0, clamp(draw.material.z, 0.0, 1.0));
    let specular = pow(max(dot(n, h), 0.0), shininess) * mix(0.04, 0.25, clamp(draw.material.y, 0.0, 1.0));
    let diffuse = base.rgb * (0.65 * key + 0.35 * fill + 0.08);
    return finish(diffuse + vec3<f32>(specular), base.a);
}

fn face_normal(position_in_world: vec3<f32>) -> vec3<f32> {
    return cross(dpdx(position_in_world), dpdy(position_in_world));
}

@fragment
fn fs_main(in: VertexOut, @builtin(front_facing) front_facing: bool) -> @location(0) vec4<f32> {
    // Sampled before any branch: derivatives must be taken in uniform control flow.
    let texel = textureSample(base_color_texture, base_color_sampler, in.uv);
    let flat_normal = face_normal(in.position_in_world);
    let base = draw.base_color_factor * texel * in.color;
    return shade(base, in.position_in_world, in.normal_in_world, flat_normal, false, front_facing);
}

// Primitives with neither texture coordinates nor colours pass only what the
// light needs between the stages. With a software GPU every varying costs set-up
// time per triangle, which dominates a million small triangles.
struct PlainOut {
    @builtin(position) clip_position: vec4<f32>,
    @location(0) position_in_world: vec3<f32>,
    @location(1) normal_in_world: vec3<f32>,
};

@vertex
fn vs_plain(@location(0) position: vec3<f32>, @location(1) normal: vec3<f32>) -> PlainOut {
    var out: PlainOut;
    let world = to_world(position);
    out.position_in_world = world.xyz;
    out.clip_position = frame.clip_from_world * world;
    out.normal_in_world = (draw.normal_from_mesh * vec4<f32>(normal, 0.0)).xyz;
    return out;
}

@fragment
fn fs_plain(in: PlainOut, @builtin(front_facing) front_facing: bool) -> @location(0) vec4<f32> {
    let flat_normal = face_normal(in.position_in_world);
    return shade(draw.base_color_factor, in.position_in_world, in.normal_in_world, flat_normal, false, front_facing);
}

// Faceted primitives (every STL: one normal per triangle, no shared vertices)
// upload no normals at all: the face normal from derivatives is the same
// shading for half the vertex data.
struct FacetOut {
    @builtin(position) clip_position: vec4<f32>,
    @location(0) position_in_world: vec3<f32>,
};

@vertex
fn vs_faceted(@location(0) position: vec3<f32>) -> FacetOut {
    let world = to_world(position);
    return FacetOut(frame.clip_from_world * world, world.xyz);
}

@fragment
fn fs_faceted(in: FacetOut, @builtin(front_facing) front_facing: bool) -> @location(0) vec4<f32> {
    let flat_normal = face_normal(in.position_in_world);
    return shade(draw.base_color_factor, in.position_in_world, flat_normal, flat_normal, true, front_facing);
}

// Lines: wireframe overlay and ground grid, coloured per vertex.
struct LineOut {
    @builtin(position) clip_position: vec4<f32>,
    @location(0) color: vec4<f32>,
};

@vertex
fn vs_wire(@location(0) position: vec3<f32>) -> LineOut {
    var out: LineOut;
    out.clip_position = frame.clip_from_world * to_world(position);
    // Pull lines slightly towards the camera so they win the depth test against their own faces.
    out.clip_position.z = out.clip_position.z - 0.0005 * out.clip_position.w;
    out.color = frame.wire_color;
    return out;
}

@vertex
fn vs_grid(@location(0) position: vec3<f32>, @location(1) color: vec4<f32>) -> LineOut {
    var out: LineOut;
    out.clip_position = frame.clip_from_world * vec4<f32>(position, 1.0);
    out.color = color;
    return out;
}

@fragment
fn fs_line(in: LineOut) -> @location(0) vec4<f32> {
    return finish(in.color.rgb, in.color.a);
}
