//! The extractors handlers read requests with, in place of axum's: their rejections are Chinese
//! [`AppError`]s, never framework English such as "Failed to deserialize form body".
//!
//! - [`Form`] and [`Query`] read `application/x-www-form-urlencoded` text into a
//!   `#[derive(Deserialize)]` struct with `serde_html_form`, which also reads a repeated key
//!   (check boxes, multi-selects) into a `Vec`. A rejection names the field by the Chinese label
//!   its struct gives it ([`Labels`], declared with [`labels!`]): 「手机号码」未填写,
//!   「单位」格式不正确.
//! - [`Path`]: an id that does not parse names no page, so it is simply not found.
//! - [`Multipart`]: a body that is not a multipart form is refused in Chinese.
//!
//! `clippy.toml` disallows axum's originals everywhere else, so a new handler cannot slip back.

// The one module that may name axum's extractors: it wraps them.
#![allow(clippy::disallowed_types)]

use std::ops::{Deref, DerefMut};

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use serde::de::DeserializeOwned;
use serde_path_to_error::Segment;

use super::AppError;

/// The Chinese labels of a form's (or query string's) fields, as the page shows them, so a
/// rejection can name the field. Declare them with [`labels!`].
pub trait Labels {
    /// (field name as submitted, label).
    const LABELS: &'static [(&'static str, &'static str)];
}

/// The label of `field`, if its struct gives one.
fn label_of<T: Labels>(field: &str) -> Option<&'static str> {
    T::LABELS.iter().find(|(name, _)| *name == field).map(|(_, label)| *label)
}

/// Declares the [`Labels`] of one or more form structs of a module, and a unit test in that
/// module checking that every field of each has one. Invoke it once per module:
///
/// ```text
/// labels! {
///     LoginForm { phone: "手机号码", password: "密码" }
/// }
/// ```
macro_rules! labels {
    ($($form:ident { $($field:ident: $label:literal),* $(,)? })+) => {
        $(
            impl $crate::web::extract::Labels for $form {
                const LABELS: &'static [(&'static str, &'static str)] =
                    &[$((stringify!($field), $label)),*];
            }
        )+

        #[cfg(test)]
        #[test]
        fn every_form_field_has_a_chinese_label() {
            $($crate::web::extract::assert_labelled::<$form>();)+
        }
    };
}
pub(crate) use labels;

/// Decodes urlencoded text into `T`, or says in Chinese which field is wrong.
pub fn decode<T: DeserializeOwned + Labels>(text: &[u8]) -> Result<T, AppError> {
    let deserializer = serde_html_form::Deserializer::from_bytes(text);
    serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let message = error.inner().to_string();
        AppError::BadRequest(match missing_field(&message) {
            Some(field) => match label_of::<T>(field) {
                Some(label) => format!("「{label}」未填写"),
                None => "表单缺少必填的内容，请返回页面刷新后重新填写".to_owned(),
            },
            None => match top_field(error.path()).and_then(label_of::<T>) {
                // A single-valued field sent twice: only a forged request does that.
                Some(label) if message == "unsupported value" => format!("「{label}」只能填写一项"),
                Some(label) => format!("「{label}」格式不正确"),
                None => "提交的内容格式不正确，请返回页面刷新后重新填写".to_owned(),
            },
        })
    })
}

/// The field serde's "missing field `name`" names.
fn missing_field(message: &str) -> Option<&str> {
    message.strip_prefix("missing field `")?.strip_suffix('`')
}

/// The top-level field a deserialization error happened in.
fn top_field(path: &serde_path_to_error::Path) -> Option<&str> {
    match path.iter().next()? {
        Segment::Map { key } => Some(key.as_str()),
        _ => None,
    }
}

/// A urlencoded form body (`application/x-www-form-urlencoded`) read into `T`.
pub struct Form<T>(pub T);

impl<T, S> FromRequest<S> for Form<T>
where
    T: DeserializeOwned + Labels,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, AppError> {
        let content_type = request.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
        if !content_type.is_some_and(|c| c.starts_with("application/x-www-form-urlencoded")) {
            return Err(AppError::BadRequest("请在页面上填写表单后提交".into()));
        }
        let body = Bytes::from_request(request, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                AppError::PayloadTooLarge("提交的内容太多，请分几次提交".into())
            } else {
                AppError::BadRequest("没有收到完整的表单，请重新提交".into())
            }
        })?;
        decode(&body).map(Form)
    }
}

/// A query string read into `T`; no query string reads as an empty one.
pub struct Query<T>(pub T);

impl<T, S> FromRequestParts<S> for Query<T>
where
    T: DeserializeOwned + Labels,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, AppError> {
        decode(parts.uri.query().unwrap_or("").as_bytes()).map(Query)
    }
}

/// Path parameters (ids) read into `T`. One that does not parse (`/members/abc`) names no page:
/// it is not found, like an id outside the user's subtree.
pub struct Path<T>(pub T);

impl<T, S> FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let path = axum::extract::Path::<T>::from_request_parts(parts, state).await;
        path.map(|axum::extract::Path(value)| Path(value)).map_err(|_| AppError::NotFound)
    }
}

/// A `multipart/form-data` upload, read field by field (it derefs to axum's reader).
pub struct Multipart(pub axum::extract::Multipart);

impl Deref for Multipart {
    type Target = axum::extract::Multipart;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl DerefMut for Multipart {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl<S: Send + Sync> FromRequest<S> for Multipart {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, AppError> {
        let multipart = axum::extract::Multipart::from_request(request, state).await;
        multipart.map(Multipart).map_err(|_| AppError::BadRequest("请在页面上选择文件后提交".into()))
    }
}

/// Panics unless every field of `T` has a label: the test [`labels!`] adds runs this.
#[cfg(test)]
pub fn assert_labelled<T: DeserializeOwned + Labels>() {
    let fields = field_names::<T>()
        .unwrap_or_else(|| panic!("{}: cannot list its fields", std::any::type_name::<T>()));
    let missing: Vec<_> = fields.iter().filter(|f| label_of::<T>(f).is_none()).collect();
    assert!(missing.is_empty(), "{}: no Chinese label for {missing:?}", std::any::type_name::<T>());
}

/// The fields serde's derive declares for `T` (a struct without `flatten`).
#[cfg(test)]
fn field_names<T: DeserializeOwned>() -> Option<&'static [&'static str]> {
    use serde::de::{Deserializer, Error, Visitor};

    /// Records the field list serde hands to `deserialize_struct`, then stops.
    struct Catcher<'a>(&'a mut Option<&'static [&'static str]>);

    impl<'de> Deserializer<'de> for Catcher<'_> {
        type Error = serde::de::value::Error;

        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
            Err(Error::custom("not a struct"))
        }

        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Self::Error> {
            *self.0 = Some(fields);
            Err(Error::custom("fields caught"))
        }

        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
            option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
            ignored_any
        }
    }

    let mut fields = None;
    let _ = T::deserialize(Catcher(&mut fields));
    fields
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)] // read only through Debug
    struct Sample {
        phone: String,
        unit: Option<i64>,
        #[serde(default)]
        member_id: Vec<i64>,
        #[serde(default)]
        unlabelled: i64,
    }

    impl Labels for Sample {
        const LABELS: &'static [(&'static str, &'static str)] =
            &[("phone", "手机号码"), ("unit", "单位"), ("member_id", "党员")];
    }

    fn message(text: &str) -> String {
        match decode::<Sample>(text.as_bytes()) {
            Err(AppError::BadRequest(message)) => message,
            other => panic!("expected a rejection, got {other:?}"),
        }
    }

    #[test]
    fn reads_repeated_keys_and_empty_options() {
        let sample: Sample = decode(b"phone=1&unit=&member_id=3&member_id=4&csrf=x").unwrap();
        assert_eq!(sample.unit, None);
        assert_eq!(sample.member_id, vec![3, 4]);
    }

    #[test]
    fn rejections_name_the_field_in_chinese() {
        assert_eq!(message("unit=2"), "「手机号码」未填写");
        assert_eq!(message("phone=1&unit=abc"), "「单位」格式不正确");
        assert_eq!(message("phone=1&member_id=x"), "「党员」格式不正确");
        assert_eq!(message("phone=1&phone=2"), "「手机号码」只能填写一项");
        assert_eq!(message("phone=1&unlabelled=x"), "提交的内容格式不正确，请返回页面刷新后重新填写");
    }

    #[test]
    fn lists_a_structs_fields() {
        assert_eq!(field_names::<Sample>(), Some(&["phone", "unit", "member_id", "unlabelled"][..]));
        let unlabelled = std::panic::catch_unwind(assert_labelled::<Sample>);
        assert!(unlabelled.is_err(), "`unlabelled` has no label");
    }
}
