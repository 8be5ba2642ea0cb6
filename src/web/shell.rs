//! What every page's frame needs: title, navigation by role, large-font mode, CSRF token, flash.

use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::Cookie;

use super::csrf::{ANONYMOUS_COOKIE, cookie_value};

/// The cookie that keeps large-font mode on across visits.
pub const FONT_COOKIE: &str = "dx_font";
/// The cookie that carries a one-shot message to the next page.
pub const FLASH_COOKIE: &str = "dx_flash";

/// One entry of the navigation bar.
#[derive(Debug, Clone)]
pub struct NavItem {
    /// Where it goes.
    pub href: &'static str,
    /// What it says.
    pub label: &'static str,
    /// Whether it is the current section.
    pub active: bool,
}

/// Whoever a page is framed for: the shell needs their name, how to label them, their
/// navigation and their display preferences, and knows nothing else about accounts or roles.
pub trait Viewer {
    /// Display name.
    fn display_name(&self) -> &str;
    /// Role and unit, e.g. "村社管理员 · 蟹塘社区".
    fn role_and_unit(&self) -> String;
    /// The navigation bar for this viewer; `section` marks the active entry.
    fn nav(&self, section: &str) -> Vec<NavItem>;
    /// Large-font mode and the flash message.
    fn prefs(&self) -> &Prefs;
    /// The token every form on the page must carry.
    fn csrf_token(&self) -> &str;
}

/// Frames a page for whoever a request's cookies name, where no handler is there to ask (an
/// error page rendered outside the handlers). Implemented by `auth`; the shell is given it when
/// the router is assembled.
pub trait ShellSource: Clone + Send + Sync + 'static {
    /// The frame for a page titled `title`: the logged-in user's, else the anonymous one.
    fn shell(&self, headers: &HeaderMap, title: &str) -> impl std::future::Future<Output = Shell> + Send;
}

/// The frame of a page.
#[derive(Debug, Clone)]
pub struct Shell {
    /// The page title (also the `<title>`).
    pub title: String,
    /// The logged-in user's name, if any.
    pub user_name: Option<String>,
    /// The logged-in user's role and unit, e.g. "村社管理员 · 蟹塘社区".
    pub user_label: String,
    /// Navigation for this role.
    pub nav: Vec<NavItem>,
    /// Large-font mode for elderly members.
    pub large_font: bool,
    /// The CSRF token every form on the page must carry.
    pub csrf: String,
    /// A one-shot message from the previous action.
    pub flash: Option<String>,
}

impl Shell {
    /// The frame for a logged-in user; `section` marks the active navigation entry.
    pub fn new(user: &impl Viewer, title: impl Into<String>, section: &str) -> Self {
        Self {
            title: title.into(),
            user_name: Some(user.display_name().to_owned()),
            user_label: user.role_and_unit(),
            nav: user.nav(section),
            large_font: user.prefs().large_font,
            csrf: user.csrf_token().to_owned(),
            flash: user.prefs().flash.clone(),
        }
    }

    /// The frame for a page seen before login.
    pub fn anonymous(title: impl Into<String>, headers: &HeaderMap) -> Self {
        let prefs = Prefs::from_headers(headers);
        Self {
            title: title.into(),
            user_name: None,
            user_label: String::new(),
            nav: Vec::new(),
            large_font: prefs.large_font,
            csrf: cookie_value(headers, ANONYMOUS_COOKIE).unwrap_or_default(),
            flash: prefs.flash,
        }
    }

    /// A frame for nobody in particular (no login, no token): what an error page has before
    /// [`ShellSource`] tells who is asking.
    pub fn bare(title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            user_name: None,
            user_label: String::new(),
            nav: Vec::new(),
            large_font: false,
            csrf: String::new(),
            flash: None,
        }
    }

    /// The frame for a page members reach with or without logging in (check-in, feedback,
    /// online study): the user's own frame when logged in, else the anonymous one.
    pub fn for_visitor(
        user: Option<&impl Viewer>,
        title: impl Into<String>,
        section: &str,
        headers: &HeaderMap,
    ) -> Self {
        match user {
            Some(u) => Self::new(u, title, section),
            None => Self::anonymous(title, headers),
        }
    }
}

/// Display preferences and the flash message, read from cookies.
#[derive(Debug, Clone, Default)]
pub struct Prefs {
    /// Large-font mode.
    pub large_font: bool,
    /// A one-shot message.
    pub flash: Option<String>,
}

impl Prefs {
    /// Reads the preference cookies.
    pub fn from_headers(headers: &HeaderMap) -> Self {
        Self {
            large_font: cookie_value(headers, FONT_COOKIE).as_deref() == Some("large"),
            flash: cookie_value(headers, FLASH_COOKIE)
                .and_then(|v| {
                    let encoded = format!("m={v}");
                    form_urlencoded::parse(encoded.as_bytes()).next().map(|(_, m)| m.into_owned())
                })
                .filter(|m| !m.is_empty()),
        }
    }
}

/// Redirects with a one-shot message shown on the next page.
pub fn redirect_with_flash(to: &str, message: &str) -> Response {
    let encoded: String = form_urlencoded::byte_serialize(message.as_bytes()).collect();
    let cookie =
        Cookie::build((FLASH_COOKIE, encoded)).path("/").max_age(cookie::time::Duration::seconds(30)).build();
    let mut response = Redirect::to(to).into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie.to_string()) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}
