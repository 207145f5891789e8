//! `model-studio`: the browser's conversion and inspection code on the command
//! line, for batch work. Everything here is argument handling and printing; the
//! work is done by `studio_model::{import, export, inspect}`, the same code the
//! web page runs compiled to wasm.
//!
//! ```text
//! model-studio convert in.glb out.stl --units mm --up z
//! model-studio info model.stl [--json]
//! ```

mod info;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use studio_model::export::{ExportOptions, LengthUnit, OutputSink, TargetFormat, export_to};
use studio_model::import::{Companions, import};
use studio_model::model::{Scene, UpAxis};

#[derive(Parser)]
#[command(name = "model-studio", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Convert a model; the output format follows the output file's extension.
    Convert {
        input: PathBuf,
        output: PathBuf,
        /// Unit of the unitless formats (STL, OBJ, PLY, OFF) on either side; glTF is metres.
        #[arg(long, default_value = "mm", value_parser = parse_unit)]
        units: LengthUnit,
        /// Up axis of the output (y or z); default: keep the input's.
        #[arg(long, value_parser = parse_up)]
        up: Option<UpAxis>,
        /// Write ASCII instead of binary STL or PLY.
        #[arg(long)]
        ascii: bool,
        /// For .gltf: put the buffer in the file as a data URI instead of a .bin beside it.
        #[arg(long)]
        embed: bool,
        /// Write only these parts, numbered from 1 as `info` lists them (e.g. --parts 1,3).
        #[arg(long, value_delimiter = ',')]
        parts: Option<Vec<usize>>,
        /// For .glb/.gltf: keep the node hierarchy and transforms (meshes written once,
        /// instancing kept) instead of baking the transforms into the positions.
        #[arg(long)]
        keep_hierarchy: bool,
        /// Merge all parts into one mesh.
        #[arg(long)]
        merge: bool,
        /// Weld vertices with identical attributes.
        #[arg(long)]
        weld: bool,
        /// Print the conversion report as JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Statistics and mesh health of a model.
    Info {
        input: PathBuf,
        /// JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

/// Output files straight to disk: the main file where asked, companions (an
/// OBJ's MTL, a glTF's .bin) beside it.
struct FolderSink {
    main: PathBuf,
    written: usize,
}

impl OutputSink for FolderSink {
    fn create(&mut self, name: &str, _size_hint: usize) -> std::io::Result<Box<dyn std::io::Write + '_>> {
        let folder = self.main.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let path = if self.written == 0 { self.main.clone() } else { folder.join(name) };
        self.written += 1;
        let file = std::fs::File::create(&path)
            .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
        Ok(Box::new(std::io::BufWriter::with_capacity(1 << 20, file)))
    }
}

fn parse_unit(text: &str) -> Result<LengthUnit, String> {
    LengthUnit::parse(text).ok_or_else(|| format!("'{text}' is not one of mm, cm, m, in"))
}

fn parse_up(text: &str) -> Result<UpAxis, String> {
    match text.to_ascii_lowercase().as_str() {
        "y" => Ok(UpAxis::Y),
        "z" => Ok(UpAxis::Z),
        _ => Err(format!("'{text}' is not y or z")),
    }
}

/// Reads a model and, for `.gltf` and `.obj`, the files next to it that it may refer to.
fn read_model(path: &Path) -> Result<Scene> {
    let bytes = map_file(path).with_context(|| format!("reading {}", path.display()))?;
    let extension = path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase());
    let companions = if matches!(extension.as_deref(), Some("gltf" | "obj")) {
        Companions::beside(path).with_context(|| format!("reading the files beside {}", path.display()))?
    } else {
        Companions::new()
    };
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    import(&name, &bytes[..], &companions).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// The input file's bytes, mapped rather than read: a read copies the whole
/// file into fresh memory, faulting in every page of it (for a 24 MB GLB about
/// 6,000 faults, a third of a conversion's), while a populated map shares the
/// page cache's pages.
#[allow(unsafe_code)]
fn map_file(path: &Path) -> std::io::Result<memmap2::Mmap> {
    let file = std::fs::File::open(path)?;
    // SAFETY: the map is read-only and lives only while the file is imported;
    // if another process truncates the file meanwhile, reads of the lost pages
    // fault (SIGBUS), the accepted risk of every mapped-file reader. Writes by
    // others would only change the bytes being validated, not memory safety
    // of our code, which treats them as untrusted input throughout.
    unsafe { memmap2::MmapOptions::new().populate().map(&file) }
}

fn main() -> Result<()> {
    match Cli::parse().command {
        Command::Convert { input, output, units, up, ascii, embed, parts, keep_hierarchy, merge, weld, json } => {
            let name = output.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let mut format = TargetFormat::from_name(&name).with_context(|| {
                format!("{name}: the output must end in .stl, .obj, .ply, .off, .glb, .gltf or .3mf")
            })?;
            if embed {
                if format != TargetFormat::GltfSeparate {
                    bail!("--embed applies to .gltf only");
                }
                format = TargetFormat::GltfEmbedded;
            }
            if ascii {
                format = match format {
                    TargetFormat::StlBinary => TargetFormat::StlAscii,
                    TargetFormat::PlyBinary => TargetFormat::PlyAscii,
                    _ => bail!("--ascii applies to STL and PLY only"),
                };
            }
            let scene = read_model(&input)?;
            let part_count = scene.mesh_instances().len();
            if let Some(bad) = parts.iter().flatten().find(|&&p| p == 0 || p > part_count) {
                bail!("--parts {bad}: the model has parts 1 to {part_count}");
            }
            let parts = parts.map(|list| list.iter().map(|p| p - 1).collect());
            let options = ExportOptions { format, unitless_unit: units, up, merge, weld, parts, keep_hierarchy };
            let mut sink = FolderSink { main: output.clone(), written: 0 };
            let report = export_to(scene, &name, &options, &mut sink, &mut |_| {})?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                println!(
                    "{} → {}: {} triangles in, {} out",
                    input.display(),
                    output.display(),
                    report.triangles_in,
                    report.triangles_out
                );
                for line in &report.applied {
                    println!("  applied: {line}");
                }
                for line in &report.dropped {
                    println!("  dropped: {line}");
                }
            }
        }
        Command::Info { input, json } => {
            let scene = read_model(&input)?;
            let inspection = studio_model::inspect::inspect(&scene);
            if json {
                println!("{}", serde_json::to_string_pretty(&info::json(&input, &scene, &inspection))?);
            } else {
                print!("{}", info::text(&input, &scene, &inspection));
            }
        }
    }
    Ok(())
}
