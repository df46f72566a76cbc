//! Uploaded packages: a `.zip` or the package's files, turned into the files of a
//! package (paths relative to the folder holding `assessment.toml` or `kpis.toml`).

use crate::error::AppError;
use axum::extract::Multipart;
use std::collections::{BTreeMap, HashMap};
use std::io::Read;

/// A multipart form: its text fields and its files (name as sent, content).
#[derive(Debug, Default)]
pub struct Upload {
    pub fields: HashMap<String, String>,
    pub files: Vec<(String, Vec<u8>)>,
}

impl Upload {
    pub fn field(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", String::as_str)
    }
}

/// The most fields and files one form upload may hold.
const MAX_PARTS: usize = 1_000;

pub async fn read(mut multipart: Multipart) -> Result<Upload, AppError> {
    let mut upload = Upload::default();
    let bad = |e: axum::extract::multipart::MultipartError| AppError::BadRequest(e.body_text());
    let mut parts = 0;
    while let Some(field) = multipart.next_field().await.map_err(bad)? {
        parts += 1;
        if parts > MAX_PARTS {
            return Err(AppError::TooLong { field: "files".into(), max: MAX_PARTS });
        }
        let name = field.name().unwrap_or_default().to_owned();
        match field.file_name().map(str::to_owned) {
            Some(file_name) => {
                let bytes = field.bytes().await.map_err(bad)?;
                if !file_name.is_empty() || !bytes.is_empty() {
                    upload.files.push((file_name, bytes.to_vec()));
                }
            }
            None => {
                let text = field.text().await.map_err(bad)?;
                crate::form::bounded(&name, &text, crate::form::MAX_FIELD_CHARS)?;
                upload.fields.insert(name, text);
            }
        }
    }
    Ok(upload)
}

/// Why uploaded files are not a package (before its contents are even read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UploadProblem {
    NoFiles,
    NotAZip(String),
    TooLarge,
    Missing(&'static str),
}

impl UploadProblem {
    pub fn message(&self, lang: chiso_core::Lang) -> String {
        match (self, lang) {
            (UploadProblem::NoFiles, chiso_core::Lang::Vi) => "Chưa chọn tệp nào.".into(),
            (UploadProblem::NoFiles, chiso_core::Lang::En) => "No file was chosen.".into(),
            // The zip library's own words (English, technical) stay in the log.
            (UploadProblem::NotAZip(_), chiso_core::Lang::Vi) => {
                "Không đọc được tệp .zip: tệp bị hỏng hoặc không phải tệp zip.".to_owned()
            }
            (UploadProblem::NotAZip(_), chiso_core::Lang::En) => {
                "The .zip file cannot be read: it is damaged or not a zip file.".to_owned()
            }
            (UploadProblem::TooLarge, chiso_core::Lang::Vi) => "Tệp zip giải nén ra quá lớn.".into(),
            (UploadProblem::TooLarge, chiso_core::Lang::En) => {
                "The zip file unpacks to too much data.".into()
            }
            (UploadProblem::Missing(file), chiso_core::Lang::Vi) => {
                format!("Thiếu tệp {file} trong gói tải lên.")
            }
            (UploadProblem::Missing(file), chiso_core::Lang::En) => format!("The upload has no {file}."),
        }
    }
}

fn clean_path(name: &str) -> Option<String> {
    let name = name.replace('\\', "/");
    let parts: Vec<&str> = name.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
    let hidden = parts.iter().any(|p| p.starts_with('.') || *p == "__MACOSX");
    (!hidden && !parts.is_empty() && !parts.contains(&"..")).then(|| parts.join("/"))
}

/// The most files one upload may unpack to (a package has a handful).
const MAX_FILES: usize = 10_000;

/// Unpacks `bytes` into `files`, counting what it unpacks against `budget`: the
/// bytes the whole request may still unpack to, shared by every zip it holds.
fn unzip(bytes: &[u8], budget: &mut u64, files: &mut Vec<(String, Vec<u8>)>) -> Result<(), UploadProblem> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| UploadProblem::NotAZip(e.to_string()))?;
    if files.len() + archive.len() > MAX_FILES {
        return Err(UploadProblem::TooLarge);
    }
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|e| UploadProblem::NotAZip(e.to_string()))?;
        if entry.is_dir() {
            continue;
        }
        *budget = budget.checked_sub(entry.size()).ok_or(UploadProblem::TooLarge)?;
        let name = entry.name().map_err(|e| UploadProblem::NotAZip(e.to_string()))?.into_owned();
        let mut content = Vec::new();
        // Read at most what the header promised (plus one byte to notice a lie).
        let promised = entry.size();
        (&mut entry)
            .take(promised + 1)
            .read_to_end(&mut content)
            .map_err(|e| UploadProblem::NotAZip(e.to_string()))?;
        if content.len() as u64 > promised {
            return Err(UploadProblem::TooLarge);
        }
        files.push((name, content));
    }
    Ok(())
}

/// The package in the uploaded files: a zip is unpacked; the folder holding
/// `anchor` (`assessment.toml`, `kpis.toml`) becomes the package's root. Files
/// uploaded one by one (without folders) are placed where assessment.toml's
/// `framework = "…"` paths expect them. `limit` bounds what the whole upload
/// unpacks to, however many zips it holds.
pub fn package_files(
    uploaded: Vec<(String, Vec<u8>)>,
    anchor: &'static str,
    limit: u64,
) -> Result<BTreeMap<String, Vec<u8>>, UploadProblem> {
    if uploaded.is_empty() {
        return Err(UploadProblem::NoFiles);
    }
    let mut files = Vec::new();
    let mut budget = limit;
    for (name, content) in uploaded {
        if name.to_lowercase().ends_with(".zip") {
            unzip(&content, &mut budget, &mut files)?;
        } else {
            budget = budget.checked_sub(content.len() as u64).ok_or(UploadProblem::TooLarge)?;
            files.push((name, content));
        }
    }
    let files: Vec<(String, Vec<u8>)> = files
        .into_iter()
        .filter_map(|(name, content)| clean_path(&name).map(|name| (name, content)))
        .collect();
    let root = files
        .iter()
        .filter_map(|(name, _)| {
            if name == anchor {
                Some(String::new())
            } else {
                name.strip_suffix(anchor).filter(|prefix| prefix.ends_with('/')).map(str::to_owned)
            }
        })
        .min_by_key(String::len)
        .ok_or(UploadProblem::Missing(anchor))?;
    let mut package: BTreeMap<String, Vec<u8>> = files
        .into_iter()
        .filter_map(|(name, content)| name.strip_prefix(root.as_str()).map(|rest| (rest.to_owned(), content)))
        .collect();
    if anchor == "assessment.toml" {
        place_frameworks(&mut package);
    }
    Ok(package)
}

/// Moves `provincial.toml` to `frameworks/provincial.toml` when assessment.toml
/// names it there and it was uploaded without its folder.
fn place_frameworks(package: &mut BTreeMap<String, Vec<u8>>) {
    let Some(text) = package.get("assessment.toml").and_then(|bytes| std::str::from_utf8(bytes).ok()) else {
        return;
    };
    let Ok(table) = text.parse::<toml::Table>() else { return };
    let wanted: Vec<String> = table
        .get("group")
        .and_then(|groups| groups.as_array())
        .into_iter()
        .flatten()
        .filter_map(|group| group.get("framework")?.as_str().map(str::to_owned))
        .collect();
    for path in wanted {
        let base = path.rsplit('/').next().unwrap_or(&path).to_owned();
        if !package.contains_key(&path)
            && let Some(content) = package.remove(&base)
        {
            package.insert(path, content);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(files: &BTreeMap<String, Vec<u8>>) -> Vec<&str> {
        files.keys().map(String::as_str).collect()
    }

    #[test]
    fn a_folder_upload_is_rooted_at_its_assessment() {
        let files = vec![
            ("2024/assessment.toml".to_owned(), b"year = 2024".to_vec()),
            ("2024/frameworks/a.toml".to_owned(), Vec::new()),
            ("2024/.DS_Store".to_owned(), Vec::new()),
            ("other.txt".to_owned(), Vec::new()),
        ];
        let package = package_files(files, "assessment.toml", 1 << 20).unwrap();
        assert_eq!(names(&package), ["assessment.toml", "frameworks/a.toml"]);
    }

    #[test]
    fn loose_frameworks_go_where_the_assessment_names_them() {
        let assessment = b"[[group]]\ncode = \"a\"\nframework = \"frameworks/a.toml\"\n".to_vec();
        let files = vec![("assessment.toml".to_owned(), assessment), ("a.toml".to_owned(), b"x".to_vec())];
        let package = package_files(files, "assessment.toml", 1 << 20).unwrap();
        assert_eq!(names(&package), ["assessment.toml", "frameworks/a.toml"]);
    }

    #[test]
    fn zips_are_unpacked_and_bad_ones_named() {
        let mut buffer = std::io::Cursor::new(Vec::new());
        {
            let mut writer = zip::ZipWriter::new(&mut buffer);
            let options = zip::write::SimpleFileOptions::default();
            writer.start_file("pkg/kpis.toml", options).unwrap();
            std::io::Write::write_all(&mut writer, b"[[kpi]]").unwrap();
            writer.start_file("pkg/observations.csv", options).unwrap();
            writer.finish().unwrap();
        }
        let files = vec![("upload.zip".to_owned(), buffer.into_inner())];
        let package = package_files(files, "kpis.toml", 1 << 20).unwrap();
        assert_eq!(names(&package), ["kpis.toml", "observations.csv"]);
        let broken = vec![("upload.zip".to_owned(), b"not a zip".to_vec())];
        assert!(matches!(package_files(broken, "kpis.toml", 1 << 20), Err(UploadProblem::NotAZip(_))));
        assert_eq!(package_files(Vec::new(), "kpis.toml", 1), Err(UploadProblem::NoFiles));
        let no_anchor = vec![("values.csv".to_owned(), Vec::new())];
        assert_eq!(
            package_files(no_anchor, "assessment.toml", 1),
            Err(UploadProblem::Missing("assessment.toml"))
        );
    }

    fn zip_of(name: &str, size: usize) -> Vec<u8> {
        let mut buffer = std::io::Cursor::new(Vec::new());
        let mut writer = zip::ZipWriter::new(&mut buffer);
        let options =
            zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        writer.start_file(name, options).unwrap();
        std::io::Write::write_all(&mut writer, &vec![b'a'; size]).unwrap();
        writer.finish().unwrap();
        buffer.into_inner()
    }

    #[test]
    fn issue_11_the_unzip_limit_is_per_request_not_per_zip() {
        // Each zip unpacks to 600 bytes, under the 1,000-byte limit alone; two exceed it together.
        let one = vec![("a.zip".to_owned(), zip_of("pkg/kpis.toml", 600))];
        assert!(package_files(one, "kpis.toml", 1_000).is_ok());
        let two = vec![
            ("a.zip".to_owned(), zip_of("pkg/kpis.toml", 600)),
            ("b.zip".to_owned(), zip_of("x.csv", 600)),
        ];
        assert_eq!(package_files(two, "kpis.toml", 1_000), Err(UploadProblem::TooLarge));
        // Loose files count against the same budget.
        let mixed =
            vec![("a.zip".to_owned(), zip_of("pkg/kpis.toml", 600)), ("x.csv".to_owned(), vec![b'x'; 600])];
        assert_eq!(package_files(mixed, "kpis.toml", 1_000), Err(UploadProblem::TooLarge));
    }
}
