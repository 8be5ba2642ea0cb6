//! PDFs in the library: uploaded by the committee under the document cap and typed from their
//! bytes (refused with the form kept and nothing left behind), listed by category, served inline
//! with Range requests to anyone logged in.

use dongxun::web::WebConfig;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_DISPOSITION, CONTENT_TYPE};

use crate::helpers::*;

/// `len` bytes that are a PDF by their first bytes, then a counting pattern.
fn fake_pdf(len: usize) -> Vec<u8> {
    let mut bytes = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    bytes.extend((0..len.saturating_sub(bytes.len())).map(|i| (i % 251) as u8));
    bytes.truncate(len);
    bytes
}

/// Uploads a PDF as `as_phone`; the response.
async fn upload(app: &TestApp, as_phone: &str, title: &str, bytes: Vec<u8>) -> reqwest::Response {
    let client = app.logged_in(as_phone).await;
    let token = app.csrf(&client, "/library").await;
    let form = reqwest::multipart::Form::new()
        .text("title", title.to_owned())
        .text("category", "党章党规")
        .text("tags", "党章，文件")
        .part("file", reqwest::multipart::Part::bytes(bytes).file_name("doc.pdf"));
    client.post(app.url(&format!("/library/pdf?csrf={token}"))).multipart(form).send().await.unwrap()
}

fn media_files(app: &TestApp) -> Vec<String> {
    std::fs::read_dir(app._dir.path().join("media"))
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_pdf_too_large_or_not_a_pdf_is_refused_with_the_form_kept_and_nothing_left_behind() {
    let app = spawn_app_with(WebConfig { max_document_bytes: 64 * 1024, ..WebConfig::default() }).await;
    let r = upload(&app, COMMITTEE, "党章全文", fake_pdf(200 * 1024)).await;
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let html = r.text().await.unwrap();
    assert!(html.contains("PDF 文件太大：不能超过64 KB") && html.contains("value=\"党章全文\""), "{html}");
    // An HTML page named .pdf, and a PDF signature hidden after other bytes: both refused.
    for bytes in [b"<html><script>alert(1)</script></html>".to_vec(), b"GIF89a%PDF-1.7".to_vec()] {
        let r = upload(&app, COMMITTEE, "党章全文", bytes).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        let html = r.text().await.unwrap();
        assert!(html.contains("不是 PDF 文件，请上传 PDF 格式的资料") && html.contains("value=\"党章全文\""));
    }
    // A good file with a bad title: refused, and the stored file removed.
    let r = upload(&app, COMMITTEE, "党", fake_pdf(1000)).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("标题应为2到80个字"));
    assert_eq!(app.count("library_items").await, 0);
    assert!(media_files(&app).is_empty(), "{:?}", media_files(&app));
    assert!(app.audit("library").await.is_empty());
    // Only the committee uploads.
    let r = upload(&app, STATION_A, "党章全文", fake_pdf(1000)).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(media_files(&app).is_empty());
}

#[tokio::test]
async fn a_pdf_is_listed_by_category_and_served_inline_with_range_requests() {
    let app = spawn_app().await;
    let bytes = fake_pdf(1000);
    let r = upload(&app, COMMITTEE, "党章全文（PDF）", bytes.clone()).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap());
    let id: i64 = location(&r).trim_start_matches("/library/").parse().unwrap();
    assert_eq!(app.audit("library").await.len(), 1);
    let stored = media_files(&app);
    assert_eq!(stored.len(), 1);
    assert!(stored[0].ends_with(".pdf") && stored[0].len() == 36 && !stored[0].contains("doc"), "{stored:?}");

    let member = app.logged_in(MEMBER).await;
    let list = app.get(&member, "/library?category=党章党规").await.text().await.unwrap();
    assert!(list.contains("党章全文（PDF）") && list.contains(&format!("/library/{id}")), "{list}");
    let other = app.get(&member, "/library?category=党史").await.text().await.unwrap();
    assert!(!other.contains("党章全文（PDF）"));
    let page = app.get(&member, &format!("/library/{id}")).await.text().await.unwrap();
    assert!(page.contains(&format!("/library/{id}/pdf")) && page.contains("打开 PDF"), "{page}");

    let path = app.url(&format!("/library/{id}/pdf"));
    let whole = member.get(&path).send().await.unwrap();
    assert_eq!(whole.status(), StatusCode::OK);
    assert_eq!(whole.headers()[CONTENT_TYPE], "application/pdf");
    assert_eq!(whole.headers()[CONTENT_DISPOSITION], "inline");
    assert_eq!(whole.headers()["x-content-type-options"], "nosniff");
    assert_eq!(whole.bytes().await.unwrap().as_ref(), bytes.as_slice());
    crate::classroom_series::assert_serves_ranges(&member, &path, &bytes).await;
    // Login required; an article has no file.
    let r = app.client().get(&path).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let article = crate::library::add_article(&app, "学习党章", "10").await;
    let r = member.get(app.url(&format!("/library/{article}/pdf"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // The text form cannot make a PDF item without a file.
    let committee = app.logged_in(COMMITTEE).await;
    let fields = [("kind", "pdf"), ("title", "假的PDF"), ("min_seconds", "60")];
    let r = app.post_form(&committee, "/library", &fields).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}
