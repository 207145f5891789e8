//! `model-studio info`: statistics and health as text or JSON.

use std::fmt::Write as _;
use std::path::Path;

use serde_json::{Value, json};
use studio_model::inspect::{Inspection, PartReport};
use studio_model::model::Scene;

/// The unit the lengths below are in: the one the format fixes, or the file's own numbers.
fn unit_note(scene: &Scene) -> &'static str {
    scene.format.fixed_unit().map_or("file units (no unit in the file)", |unit| unit.label())
}

pub fn json(path: &Path, scene: &Scene, inspection: &Inspection) -> Value {
    json!({
        "file": path.display().to_string(),
        "format": scene.format.label(),
        "units": unit_note(scene),
        "parts": inspection.parts,
        "total": inspection.total,
        "warnings": scene.warnings,
    })
}

fn part(out: &mut String, report: &PartReport) {
    let (s, h) = (&report.stats, &report.health);
    let _ = writeln!(out, "  triangles        {}", s.triangles);
    let _ = writeln!(out, "  area             {:.6}", s.area);
    match s.volume {
        Some(v) => {
            let _ = writeln!(out, "  volume           {v:.6}");
        }
        None => {
            let _ = writeln!(out, "  volume           — (not closed: no volume)");
        }
    }
    let [x, y, z] = s.center_of_mass;
    let _ = writeln!(out, "  centre of mass   {x:.6} {y:.6} {z:.6}");
    let size: Vec<String> = (0..3).map(|k| format!("{:.6}", s.bounds_max[k] - s.bounds_min[k])).collect();
    let _ = writeln!(out, "  bounding box     {} (min {:?}, max {:?})", size.join(" × "), s.bounds_min, s.bounds_max);
    let _ = writeln!(out, "  closed           {}", if h.closed { "yes" } else { "no" });
    let _ = writeln!(out, "  shells           {} ({} inverted)", h.shells, h.inverted_shells);
    let _ = writeln!(out, "  boundary edges   {}", h.boundary_edges);
    let _ = writeln!(out, "  non-manifold     {} edges, {} vertices", h.non_manifold_edges, h.non_manifold_vertices);
    let _ = writeln!(out, "  winding          {} inconsistent edges", h.inconsistent_edges);
    let _ = writeln!(out, "  degenerate       {} triangles", h.degenerate_triangles);
    let _ = writeln!(out, "  duplicates       {} triangles", h.duplicate_triangles);
}

pub fn text(path: &Path, scene: &Scene, inspection: &Inspection) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} ({}), lengths in {}", path.display(), scene.format.label(), unit_note(scene));
    if inspection.parts.len() > 1 {
        for (number, report) in (1..).zip(&inspection.parts) {
            let _ = writeln!(out, "part {number} '{}':", report.name);
            part(&mut out, report);
        }
    }
    let _ = writeln!(out, "whole model:");
    part(&mut out, &inspection.total);
    for warning in &scene.warnings {
        let _ = writeln!(out, "warning: {warning}");
    }
    out
}
