//! One macro for every closed set of codes stored as text: the enum, its code, its Chinese label,
//! parsing a stored code, the `(code, label)` choices for `<select>` lists, and reading and
//! writing it through sqlx on either backend.

/// Declares a closed set of codes stored as text, with their Chinese labels.
///
/// The enum binds as its code and decodes from one (`TEXT` on SQLite and PostgreSQL), so a row
/// struct holds the enum itself and a query binds it directly. The sqlx impls are generic over
/// the backend, bounded by `str`'s own impls, so both pools get them from one definition. A
/// stored code the enum does not know is a decode error naming the enum and the code: the
/// database and the code disagree, and guessing a value would hide that.
#[macro_export]
macro_rules! coded_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = ($code:literal, $label:literal)),+ $(,)? }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        $(#[$meta])*
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            /// Every value, in display order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The code stored in the database.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// The Chinese label shown to users.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            /// Parses a stored code.
            pub fn from_code(code: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.code() == code)
            }

            /// (code, label) pairs for `<select>` lists.
            pub fn choices() -> Vec<(&'static str, &'static str)> {
                Self::ALL.iter().map(|v| (v.code(), v.label())).collect()
            }
        }

        impl<DB: ::sqlx::Database> ::sqlx::Type<DB> for $name
        where
            str: ::sqlx::Type<DB>,
        {
            fn type_info() -> DB::TypeInfo {
                <str as ::sqlx::Type<DB>>::type_info()
            }

            fn compatible(ty: &DB::TypeInfo) -> bool {
                <str as ::sqlx::Type<DB>>::compatible(ty)
            }
        }

        impl<'q, DB: ::sqlx::Database> ::sqlx::Encode<'q, DB> for $name
        where
            &'q str: ::sqlx::Encode<'q, DB>,
        {
            fn encode_by_ref(
                &self,
                buf: &mut <DB as ::sqlx::Database>::ArgumentBuffer<'q>,
            ) -> Result<::sqlx::encode::IsNull, ::sqlx::error::BoxDynError> {
                <&'q str as ::sqlx::Encode<'q, DB>>::encode(self.code(), buf)
            }
        }

        impl<'r, DB: ::sqlx::Database> ::sqlx::Decode<'r, DB> for $name
        where
            &'r str: ::sqlx::Decode<'r, DB>,
        {
            fn decode(
                value: <DB as ::sqlx::Database>::ValueRef<'r>,
            ) -> Result<Self, ::sqlx::error::BoxDynError> {
                let code = <&'r str as ::sqlx::Decode<'r, DB>>::decode(value)?;
                Self::from_code(code)
                    .ok_or_else(|| format!("unknown {} code {:?}", stringify!($name), code).into())
            }
        }
    };
}

#[cfg(test)]
mod tests {
    crate::coded_enum! {
        /// A two-value set for testing the macro.
        Weather {
            /// Sunny.
            Sunny = ("sunny", "晴"),
            /// Snowy.
            Snowy = ("snow", "雪"),
        }
    }

    #[test]
    fn codes_and_labels_round_trip() {
        for w in Weather::ALL {
            assert_eq!(Weather::from_code(w.code()), Some(*w));
        }
        assert_eq!(Weather::Snowy.code(), "snow");
        assert_eq!(Weather::Snowy.label(), "雪");
        assert_eq!(Weather::from_code("Snowy"), None, "codes, not variant names");
        assert_eq!(Weather::choices(), vec![("sunny", "晴"), ("snow", "雪")]);
    }

    async fn round_trip_on_sqlite(stored: &str) -> Result<Weather, sqlx::Error> {
        let pool = sqlx::SqlitePool::connect("sqlite::memory:").await?;
        sqlx::query("CREATE TABLE t (w TEXT NOT NULL)").execute(&pool).await?;
        sqlx::query("INSERT INTO t (w) VALUES ($1)").bind(stored).execute(&pool).await?;
        let (w,): (Weather,) = sqlx::query_as("SELECT w FROM t").fetch_one(&pool).await?;
        let (code,): (String,) = sqlx::query_as("SELECT $1").bind(w).fetch_one(&pool).await?;
        assert_eq!(code, w.code(), "binds as its code");
        Ok(w)
    }

    #[tokio::test]
    async fn reads_and_binds_through_sqlx() {
        assert_eq!(round_trip_on_sqlite("snow").await.unwrap(), Weather::Snowy);
        let error = round_trip_on_sqlite("hail").await.unwrap_err().to_string();
        assert!(error.contains("unknown Weather code \"hail\""), "{error}");
    }
}
