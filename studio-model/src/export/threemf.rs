//! 3MF writer: a zip package with the content types, the package relationship
//! and one model part in millimetres: one object per part, each placed once by
//! a build item, with a base material per scene material.

use std::fmt::Write as _;
use std::io::{Cursor, Write};

use super::{ConversionReport, FlatMesh};
use crate::model::{Scene, linear_to_srgb};

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
 <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
 <Default Extension="model" ContentType="application/vnd.ms-package.3dmanufacturing-3dmodel+xml"/>
</Types>
"#;

const RELATIONSHIPS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
 <Relationship Target="/3D/3dmodel.model" Id="rel0" Type="http://schemas.microsoft.com/3dmanufacturing/2013/01/3dmodel"/>
</Relationships>
"#;

/// Text safe inside an XML attribute.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;").replace('>', "&gt;")
}

fn hex(rgba: [f32; 4]) -> String {
    let byte = |c: f32| (c.clamp(0.0, 1.0) * 255.0).round() as u8;
    let [r, g, b, a] = rgba;
    format!(
        "#{:02X}{:02X}{:02X}{:02X}",
        byte(linear_to_srgb(r)),
        byte(linear_to_srgb(g)),
        byte(linear_to_srgb(b)),
        byte(a)
    )
}

fn model_xml(meshes: &[FlatMesh], scene: &Scene) -> String {
    let vertices: usize = meshes.iter().map(|m| m.positions.len()).sum();
    let mut xml = String::with_capacity(vertices * 60 + meshes.iter().map(|m| m.indices.len()).sum::<usize>() * 12);
    xml.push_str(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<model unit=\"millimeter\" xml:lang=\"en-US\" \
         xmlns=\"http://schemas.microsoft.com/3dmanufacturing/core/2015/02\">\n \
         <metadata name=\"Application\">3D Model Studio</metadata>\n <resources>\n",
    );
    // Material group 1 holds the scene's materials; objects are numbered after it.
    let has_materials = !scene.materials.is_empty();
    if has_materials {
        xml.push_str("  <basematerials id=\"1\">\n");
        for (i, material) in scene.materials.iter().enumerate() {
            let name = if material.name.is_empty() { format!("material {i}") } else { material.name.clone() };
            let _ = writeln!(
                xml,
                "   <base name=\"{}\" displaycolor=\"{}\"/>",
                escape(&name),
                hex(material.base_color_factor)
            );
        }
        xml.push_str("  </basematerials>\n");
    }
    for (n, mesh) in meshes.iter().enumerate() {
        let id = n + 2;
        let material = match (has_materials, mesh.material) {
            (true, Some(m)) => format!(" pid=\"1\" pindex=\"{m}\""),
            _ => String::new(),
        };
        let _ = writeln!(
            xml,
            "  <object id=\"{id}\" type=\"model\" name=\"{}\"{material}>\n   <mesh>\n    <vertices>",
            escape(&mesh.name)
        );
        for [x, y, z] in &mesh.positions {
            let _ = writeln!(xml, "     <vertex x=\"{x}\" y=\"{y}\" z=\"{z}\"/>");
        }
        xml.push_str("    </vertices>\n    <triangles>\n");
        for tri in mesh.indices.chunks_exact(3) {
            let _ = writeln!(xml, "     <triangle v1=\"{}\" v2=\"{}\" v3=\"{}\"/>", tri[0], tri[1], tri[2]);
        }
        xml.push_str("    </triangles>\n   </mesh>\n  </object>\n");
    }
    xml.push_str(" </resources>\n <build>\n");
    for n in 0..meshes.len() {
        let _ = writeln!(xml, "  <item objectid=\"{}\"/>", n + 2);
    }
    xml.push_str(" </build>\n</model>\n");
    xml
}

pub fn write(meshes: &[FlatMesh], scene: &Scene, report: &mut ConversionReport) -> Vec<u8> {
    if meshes.iter().any(|m| m.colors.is_some()) {
        report.dropped.push("Vertex colours: this 3MF export writes one colour per material.".into());
    }
    if meshes.iter().any(|m| m.uvs.is_some()) || scene.materials.iter().any(|m| m.base_color_texture.is_some()) {
        report.dropped.push("Textures: this 3MF export writes base colours only.".into());
    }
    report.dropped.push("Normals: 3MF has none; readers compute them.".into());
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let parts = [
        ("[Content_Types].xml", CONTENT_TYPES.to_owned()),
        ("_rels/.rels", RELATIONSHIPS.to_owned()),
        ("3D/3dmodel.model", model_xml(meshes, scene)),
    ];
    for (name, text) in parts {
        // Writing into memory cannot fail short of running out of it.
        if zip.start_file(name, options).is_ok() {
            let _ = zip.write_all(text.as_bytes());
        }
    }
    zip.finish().map(Cursor::into_inner).unwrap_or_default()
}
