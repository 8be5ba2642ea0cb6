//! The shape ARCHITECTURE.md promises, checked on the source tree itself so it cannot drift:
//! the web shell knows no capability, no file grows past 400 lines, no room past a fifth of
//! the code, and every room has a template folder named as in `src/` when it has templates.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// Modules that are not rooms: the shell, the database layer, shared helpers and entry points.
const NOT_ROOMS: [&str; 4] = ["web", "db", "formats", "demo"];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `dir`, recursively.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

/// The top-level modules that are directories (the rooms, plus the shared layers).
fn top_level_dirs() -> Vec<String> {
    let mut dirs: Vec<String> = fs::read_dir(src())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    dirs.sort();
    dirs
}

fn line_count(path: &Path) -> usize {
    fs::read_to_string(path).unwrap().lines().count()
}

#[test]
fn the_web_shell_imports_no_capability() {
    let rooms: Vec<String> =
        top_level_dirs().into_iter().filter(|d| !NOT_ROOMS.contains(&d.as_str())).collect();
    let mut offences = Vec::new();
    for file in rust_files(&src().join("web")) {
        let text = fs::read_to_string(&file).unwrap();
        for room in &rooms {
            if text.contains(&format!("crate::{room}::")) || text.contains(&format!("crate::{room};")) {
                offences.push(format!("{} uses crate::{room}", file.display()));
            }
        }
    }
    assert!(offences.is_empty(), "web/ must not import a capability:\n{}", offences.join("\n"));
}

#[test]
fn no_source_file_is_over_400_lines() {
    let long: Vec<String> = rust_files(&src())
        .into_iter()
        .map(|f| (line_count(&f), f))
        .filter(|(lines, _)| *lines > 400)
        .map(|(lines, f)| format!("{} ({lines} lines)", f.display()))
        .collect();
    assert!(long.is_empty(), "split these along what they do:\n{}", long.join("\n"));
}

#[test]
fn no_room_holds_over_a_fifth_of_the_code() {
    let mut per_room: BTreeMap<String, usize> = BTreeMap::new();
    let mut total = 0;
    for file in rust_files(&src()) {
        let lines = line_count(&file);
        total += lines;
        let relative = file.strip_prefix(src()).unwrap();
        if relative.components().count() > 1 {
            let room = relative.components().next().unwrap().as_os_str().to_string_lossy().into_owned();
            *per_room.entry(room).or_default() += lines;
        }
    }
    let heavy: Vec<String> = per_room
        .iter()
        .filter(|(_, lines)| **lines * 5 > total)
        .map(|(room, lines)| format!("{room}: {lines} of {total} lines"))
        .collect();
    assert!(heavy.is_empty(), "rooms over a fifth of the code:\n{}", heavy.join("\n"));
}

#[test]
fn templates_are_laid_out_as_the_rooms_are() {
    let templates = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let rooms = top_level_dirs();
    let mut strays = Vec::new();
    for entry in fs::read_dir(&templates).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !path.is_dir() {
            strays.push(format!("templates/{name} is not inside a room's folder"));
        } else if !rooms.contains(&name) {
            strays.push(format!("templates/{name}/ has no src/{name}/"));
        }
    }
    assert!(strays.is_empty(), "{}", strays.join("\n"));
}
