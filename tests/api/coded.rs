//! Stored codes (`coded_enum!`) through a real pool, on whichever backend this run uses: every
//! value binds as its code and reads back as itself, and a code the enum does not know is a
//! decode error naming the enum and the code.

use dongxun::audit::Action;
use dongxun::coverage::Reason;
use dongxun::db::Db;
use dongxun::delivery::store as deliveries;
use dongxun::delivery::{Confirmer, MaterialKind, TaskStatus};
use dongxun::on_db;
use dongxun::people::model::{Gender, MemberStatus};
use dongxun::schedule::model::{LecturerKind, SessionStatus};
use sqlx::{Decode, Encode, Postgres, Sqlite, Type};

use crate::helpers::*;

/// Binds `value`, has the database hand it back as text, and reads that text as the enum again;
/// also returns the text, to check that what is stored is the code.
async fn round_trip<T>(db: &Db, value: T) -> (T, String)
where
    T: for<'q> Encode<'q, Sqlite> + for<'r> Decode<'r, Sqlite> + Type<Sqlite>,
    T: for<'q> Encode<'q, Postgres> + for<'r> Decode<'r, Postgres> + Type<Postgres>,
    T: Copy + Send + Unpin + 'static,
{
    on_db!(db, pool => {
        sqlx::query_as("SELECT CAST($1 AS TEXT), CAST($1 AS TEXT)")
            .bind(value)
            .fetch_one(pool)
            .await
            .expect("round trip")
    })
}

/// Every value of each listed enum comes back as itself, stored as its code.
macro_rules! assert_round_trips {
    ($db:expr, $($enum:ty),+) => {$(
        for &value in <$enum>::ALL {
            assert_eq!(round_trip($db, value).await, (value, value.code().to_owned()), "{value:?}");
        }
    )+};
}

#[tokio::test]
async fn every_coded_enum_binds_as_its_code_and_reads_back() {
    let app = spawn_app().await;
    assert_round_trips!(
        &app.db,
        dongxun::auth::Role,
        Action,
        dongxun::org::model::UnitKind,
        Gender,
        MemberStatus,
        SessionKind,
        SessionStatus,
        LecturerKind,
        Channel,
        MaterialKind,
        Confirmer,
        TaskStatus,
        Reason
    );
}

#[tokio::test]
async fn a_stored_code_reads_back_through_a_store_and_an_unknown_one_is_an_error() {
    let app = spawn_app().await;
    deliveries::insert_material(&app.db, "党课视频U盘", MaterialKind::Video).await.unwrap();
    let listed = deliveries::materials(&app.db).await.unwrap();
    assert_eq!(
        listed.iter().map(|m| (m.name.as_str(), m.kind)).collect::<Vec<_>>(),
        [("党课视频U盘", MaterialKind::Video)]
    );

    // A code written behind the program's back (the column has no CHECK) is refused on reading,
    // not silently shown as something else.
    on_db!(&app.db, pool => {
        sqlx::query("INSERT INTO delivery_materials (name, kind, active) VALUES ('竹简', 'scroll', TRUE)")
            .execute(pool)
            .await
            .unwrap();
    });
    let error = deliveries::materials(&app.db).await.unwrap_err().to_string();
    assert!(error.contains("unknown MaterialKind code \"scroll\""), "{error}");
}
