//! What anyone reads without logging in: `/brands` (every village's brands) and `/brands/{id}`
//! (one village's brand page, with share tags WeChat reads), and the brands' photos. Only
//! aggregate numbers are shown; no member, volunteer or served person is named.

use std::sync::Arc;

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{Html, IntoResponse, Response};

use super::model::{Brand, Figures, Profile};
use super::store::{self, ArticleLine};
use crate::activities::public::{self as activities, PublicActivity};
use crate::auth::CurrentUser;
use crate::column::base_url;
use crate::coverage::rollup::rate_text;
use crate::db::Db;
use crate::org::store::Unit;
use crate::web::extract::Path;
use crate::web::{AppError, AppResult, Shell, WebConfig};

/// One village on the index.
struct Card {
    id: i64,
    name: String,
    profile: Profile,
    photo: Option<i64>,
}

#[derive(Template)]
#[template(path = "brands/index.html")]
struct IndexPage {
    shell: Shell,
    url: String,
    cards: Vec<Card>,
    may_compare: bool,
}

/// `GET /brands`: every village's brands.
pub(super) async fn index(
    State(db): State<Db>,
    State(config): State<Arc<WebConfig>>,
    user: Option<CurrentUser>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let mut profiles = store::profiles(&db).await?;
    let photos = store::first_photos(&db).await?;
    let cards = store::villages(&db)
        .await?
        .into_iter()
        .map(|u| Card {
            id: u.id,
            profile: profiles.remove(&u.id).unwrap_or_default(),
            photo: photos.get(&u.id).copied(),
            name: u.name,
        })
        .collect();
    let page = IndexPage {
        shell: Shell::for_visitor(user.as_ref(), "村社品牌", "home", &headers),
        url: format!("{}/brands", base_url(&config, &headers)),
        cards,
        may_compare: user.as_ref().is_some_and(|u| u.role.is_admin()),
    };
    Ok(Html(page.render()?).into_response())
}

#[derive(Template)]
#[template(path = "brands/page.html")]
struct BrandPage {
    shell: Shell,
    url: String,
    image: Option<String>,
    description: String,
    unit: Unit,
    profile: Profile,
    service_photos: Vec<i64>,
    training_photos: Vec<i64>,
    campaign: Option<String>,
    figures: Figures,
    coverage: String,
    activities: Vec<PublicActivity>,
    articles: Vec<ArticleLine>,
    can_edit: bool,
}

impl BrandPage {
    fn hours(&self) -> String {
        let tenths = self.figures.hour_tenths();
        if tenths % 10 == 0 { (tenths / 10).to_string() } else { format!("{}.{}", tenths / 10, tenths % 10) }
    }

    fn day(&self, a: &ArticleLine) -> String {
        crate::time::local_datetime(a.dated_at).chars().take(10).collect()
    }
}

/// A village (the hub or a station still in use), or not found.
pub(super) async fn village(db: &Db, id: i64) -> AppResult<Unit> {
    store::villages(db).await?.into_iter().find(|u| u.id == id).ok_or(AppError::NotFound)
}

/// `GET /brands/{id}`: a village's brand page.
pub(super) async fn page(
    State(db): State<Db>,
    State(config): State<Arc<WebConfig>>,
    user: Option<CurrentUser>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let unit = village(&db, id).await?;
    let profile = store::profile(&db, unit.id).await?;
    let photos = store::photos(&db, unit.id).await?;
    let of = |brand: Brand| photos.iter().filter(|(_, b)| *b == brand).map(|(id, _)| *id).collect::<Vec<_>>();
    let base = base_url(&config, &headers);
    let campaign = crate::campaign::store::current(&db).await?;
    let figures = match &campaign {
        Some(c) => {
            super::figures_between(&db, c.starts_on, c.ends_on).await?.remove(&unit.id).unwrap_or_default()
        }
        None => Figures::default(),
    };
    let coverage =
        super::coverage(&db).await?.get(&unit.id).map(|p| rate_text(*p, 1000)).unwrap_or_else(|| "—".into());
    let summary = profile.summary();
    let page = BrandPage {
        shell: Shell::for_visitor(user.as_ref(), format!("{} · 村社品牌", unit.name), "home", &headers),
        url: format!("{base}/brands/{}", unit.id),
        image: photos.first().map(|(id, _)| format!("{base}/brands/photos/{id}.jpg")),
        description: if summary.is_empty() { format!("{}的冬训品牌", unit.name) } else { summary },
        service_photos: of(Brand::Service),
        training_photos: of(Brand::Training),
        campaign: campaign.map(|c| c.name),
        figures,
        coverage,
        activities: activities::recent(&db, &unit.path, 8).await?,
        articles: store::articles(&db, &unit, 8).await?,
        can_edit: user.as_ref().is_some_and(|u| u.role.is_admin() && u.covers(&unit.path)),
        profile,
        unit,
    };
    Ok(Html(page.render()?).into_response())
}

/// `GET /brands/photos/{id}.jpg`: a brand photo (public, as the page that shows it).
pub(super) async fn photo(State(db): State<Db>, Path(name): Path<String>) -> AppResult<Response> {
    let id: i64 = name.strip_suffix(".jpg").and_then(|n| n.parse().ok()).ok_or(AppError::NotFound)?;
    let jpeg = store::photo(&db, id).await?.ok_or(AppError::NotFound)?;
    let headers = [
        (header::CONTENT_TYPE, "image/jpeg"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::CACHE_CONTROL, "public, max-age=86400"),
    ];
    Ok((headers, jpeg).into_response())
}
