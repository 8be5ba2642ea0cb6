//! One error type for every handler. Its response is a Chinese page; internals of 500s are
//! logged, never shown.
//!
//! Every error response also carries an [`ErrorAnswer`] in its extensions, saying what it means
//! (sign in, change the password, or a message). A page answer is right for a browser that loads
//! the whole page; an htmx request needs a different one (see [`super::htmx`]), and only a layer
//! that sees the request's headers can tell which it is.

use askama::Template;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};

/// Everything a handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Not logged in (or the session expired): go to the login page.
    #[error("请先登录")]
    Unauthenticated { next: String },
    /// Logged in with a one-time password: change it before anything else, then go on to `next`
    /// (the page that was asked for).
    #[error("请先修改初始密码")]
    MustChangePassword { next: String },
    /// The role may not do this at all.
    #[error("您没有权限进行此操作")]
    Forbidden,
    /// Missing, or outside the user's subtree: the two are indistinguishable on purpose.
    #[error("页面不存在，或您无权查看")]
    NotFound,
    /// The route exists but not for this method (a link followed to a form's address, say).
    #[error("此页面不能这样打开，请从页面上的按钮或链接进入")]
    MethodNotAllowed,
    /// The submitted form lacked a valid CSRF token.
    #[error("表单已过期，请返回刷新页面后重新提交")]
    Csrf,
    /// Bad input, with a Chinese message for the user.
    #[error("{0}")]
    BadRequest(String),
    /// Input failing several checks, each a Chinese sentence naming its field. A form page
    /// catches it to list them above what was typed; anywhere else it is a 400 listing them.
    #[error("{}", .0.join("；"))]
    Invalid(Vec<String>),
    /// The upload is larger than allowed.
    #[error("{0}")]
    PayloadTooLarge(String),
    /// The request conflicts with existing data (a duplicate, a unit that still has members…).
    #[error("{0}")]
    Conflict(String),
    /// Too many failed logins.
    #[error("{0}")]
    TooManyAttempts(String),
    /// A database failure not mapped to a clearer message.
    #[error(transparent)]
    Database(sqlx::Error),
    /// Anything else unexpected.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for AppError {
    /// Constraint violations become clear conflicts; everything else stays internal.
    fn from(error: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db_error) = &error {
            if db_error.is_unique_violation() {
                return Self::Conflict(unique_violation_message(db_error.message()));
            }
            if db_error.is_foreign_key_violation() {
                return Self::Conflict("关联的数据不存在或仍被使用，操作未执行".into());
            }
        }
        Self::Database(error)
    }
}

/// Names the duplicated field in Chinese from the constraint text of either backend.
fn unique_violation_message(message: &str) -> String {
    let field = if message.contains("phone") {
        "手机号码"
    } else if message.contains("id_card") {
        "身份证号"
    } else if message.contains("name") {
        "名称"
    } else {
        "记录"
    };
    format!("{field}已存在，不能重复")
}

impl From<askama::Error> for AppError {
    fn from(error: askama::Error) -> Self {
        Self::Internal(error.into())
    }
}

impl AppError {
    fn status(&self) -> StatusCode {
        match self {
            Self::Unauthenticated { .. } | Self::MustChangePassword { .. } => StatusCode::SEE_OTHER,
            Self::Forbidden | Self::Csrf => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::BadRequest(_) | Self::Invalid(_) => StatusCode::BAD_REQUEST,
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::TooManyAttempts(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::Database(_) | Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// What an error response means, kept in its extensions for the layers outside the handlers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ErrorAnswer {
    /// Sign in (again): there is no live session.
    SignIn,
    /// Change the one-time password before anything else.
    ChangePassword,
    /// A refusal, with the Chinese message shown to the person.
    Message(String),
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match &self {
            Self::Database(error) => tracing::error!(%error, "database error"),
            Self::Internal(error) => tracing::error!(error = ?error, "internal error"),
            _ => {}
        }
        let (mut response, answer) = match &self {
            Self::Unauthenticated { next } => {
                let target = format!("/login?next={}", urlencode(next));
                (Redirect::to(&target).into_response(), ErrorAnswer::SignIn)
            }
            Self::MustChangePassword { next } => {
                let target = match next.as_str() {
                    "/" | "/password" => "/password".to_owned(),
                    page => format!("/password?next={}", urlencode(page)),
                };
                (Redirect::to(&target).into_response(), ErrorAnswer::ChangePassword)
            }
            Self::Database(_) | Self::Internal(_) => {
                (page(self.status(), INTERNAL_MESSAGE), ErrorAnswer::Message(INTERNAL_MESSAGE.to_owned()))
            }
            refusal => {
                let message = refusal.to_string();
                (page(refusal.status(), &message), ErrorAnswer::Message(message))
            }
        };
        response.extensions_mut().insert(answer);
        response
    }
}

/// What a person sees of a 500: the details are in the log, not on the screen.
const INTERNAL_MESSAGE: &str = "服务器内部错误，请稍后重试。如多次出现，请联系街道管理员。";

/// The whole error page, for a browser that loads it as a page: framed for nobody in particular,
/// until [`super::error_page::frame_errors`] frames it for the person who asked.
fn page(status: StatusCode, message: &str) -> Response {
    let title = status.canonical_reason().map(|_| error_title(status)).unwrap_or("出错了");
    let page = super::error_page::ErrorPage {
        shell: super::Shell::bare(title),
        message,
        back: "/".to_owned(),
        retry: None,
    };
    let body = page.render().unwrap_or_else(|_| "出错了".to_owned());
    (status, [(header::CACHE_CONTROL, "no-store")], Html(body)).into_response()
}

#[derive(Template)]
#[template(source = r#"<p class="error" role="alert" data-error-message>{{ message }}</p>"#, ext = "html")]
struct ErrorFragment<'a> {
    message: &'a str,
}

/// The message alone, as a fragment the page's script puts into the form's error area.
pub fn fragment(message: &str) -> String {
    ErrorFragment { message }
        .render()
        .unwrap_or_else(|_| r#"<p class="error" data-error-message>出错了</p>"#.to_owned())
}

/// A short Chinese title for an error status (also the message when nothing better is known).
pub fn error_title(status: StatusCode) -> &'static str {
    match status {
        StatusCode::NOT_FOUND => "找不到页面",
        StatusCode::FORBIDDEN | StatusCode::METHOD_NOT_ALLOWED => "无法操作",
        StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY => "提交的内容有误",
        StatusCode::CONFLICT => "操作未执行",
        StatusCode::PAYLOAD_TOO_LARGE => "文件太大",
        StatusCode::TOO_MANY_REQUESTS => "请稍后再试",
        _ => "出错了",
    }
}

/// Percent-encodes a path for a query parameter.
pub fn urlencode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// The result type of every handler.
pub type AppResult<T> = Result<T, AppError>;
