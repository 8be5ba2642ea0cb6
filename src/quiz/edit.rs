//! Editing one question on the web (committee): stem, options, answer, 解析, category and
//! difficulty, checked by the same rules as an import (`Question::checked`), a stem that another
//! question already has refused, the change audited with what it was before.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use super::model::{LETTERS, Question, QuestionKind};
use super::store::{self, StoredQuestion};
use crate::audit::{self, Action, Actor};
use crate::auth::CommitteeUser;
use crate::state::AppState;
use crate::web::extract::{Form, Path, labels};
use crate::web::form::FieldErrors;
use crate::web::shell::redirect_with_flash;
use crate::web::{AppError, AppResult, Shell};

/// A question as typed in the edit form (text throughout, so a refused form comes back as typed).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct QuestionInput {
    kind: String,
    stem: String,
    option_a: String,
    option_b: String,
    option_c: String,
    option_d: String,
    option_e: String,
    option_f: String,
    answer: String,
    explanation: String,
    category: String,
    difficulty: String,
}

labels! {
    QuestionInput {
        kind: "题型",
        stem: "题干",
        option_a: "选项A",
        option_b: "选项B",
        option_c: "选项C",
        option_d: "选项D",
        option_e: "选项E",
        option_f: "选项F",
        answer: "答案",
        explanation: "解析",
        category: "分类",
        difficulty: "难度",
    }
}

impl QuestionInput {
    fn from_stored(q: &StoredQuestion) -> Self {
        QuestionInput {
            kind: q.kind.code().to_owned(),
            stem: q.stem.clone(),
            option_a: q.option_a.clone(),
            option_b: q.option_b.clone(),
            option_c: q.option_c.clone(),
            option_d: q.option_d.clone(),
            option_e: q.option_e.clone(),
            option_f: q.option_f.clone(),
            answer: q.answer.clone(),
            explanation: q.explanation.clone(),
            category: q.category.clone(),
            difficulty: q.difficulty.clone(),
        }
    }

    /// The options with their letters and field names, for the form.
    fn options(&self) -> Vec<(char, &'static str, &str)> {
        let names = ["option_a", "option_b", "option_c", "option_d", "option_e", "option_f"];
        let values =
            [&self.option_a, &self.option_b, &self.option_c, &self.option_d, &self.option_e, &self.option_f];
        LETTERS.iter().zip(names).zip(values).map(|((l, n), v)| (*l, n, v.as_str())).collect()
    }

    /// The question typed, checked as an import checks one; `source` kept as stored.
    fn question(&self, source: &str) -> Result<Question, FieldErrors> {
        let mut errors = FieldErrors::default();
        for (field, label, text, max) in [
            ("stem", "题干", &self.stem, 4_000),
            ("explanation", "解析", &self.explanation, 4_000),
            ("category", "分类", &self.category, 50),
            ("difficulty", "难度", &self.difficulty, 20),
        ] {
            if text.chars().count() > max {
                errors.add(field, format!("{label}不能超过{max}个字"));
            }
        }
        let question = Question {
            kind: QuestionKind::from_code(self.kind.trim()),
            stem: self.stem.clone(),
            options: self.options().iter().map(|(_, _, v)| (*v).to_owned()).collect(),
            answer: self.answer.clone(),
            explanation: self.explanation.clone(),
            category: self.category.clone(),
            difficulty: self.difficulty.clone(),
            source: source.to_owned(),
        };
        match question.checked() {
            Ok(q) if errors.is_empty() => Ok(q),
            Ok(_) => Err(errors),
            Err(problem) => {
                let field = if problem.contains("题型") {
                    "kind"
                } else if problem.contains("题干") {
                    "stem"
                } else if problem.contains("选项") && !problem.contains("答案") {
                    "option_a"
                } else {
                    "answer"
                };
                errors.add(field, problem);
                Err(errors)
            }
        }
    }
}

#[derive(Template)]
#[template(path = "quiz/edit.html")]
struct EditPage {
    shell: Shell,
    id: i64,
    input: QuestionInput,
    errors: FieldErrors,
    kinds: &'static [QuestionKind],
}

fn page(user: &CommitteeUser, id: i64, input: QuestionInput, errors: FieldErrors) -> AppResult<Html<String>> {
    let view =
        EditPage {
            shell: Shell::new(user, "编辑题目", "home"), id, input, errors, kinds: QuestionKind::ALL
        };
    Ok(Html(view.render()?))
}

/// The edit form of question `id`.
pub(super) async fn form(
    State(state): State<AppState>,
    user: CommitteeUser,
    Path(id): Path<i64>,
) -> AppResult<Html<String>> {
    let stored = store::one(&state.db, id).await?.ok_or(AppError::NotFound)?;
    page(&user, id, QuestionInput::from_stored(&stored), FieldErrors::default())
}

/// Saves question `id` as typed (audited with the stem before and after); a refused form comes
/// back as typed with each problem beside its field.
pub(super) async fn save(
    State(state): State<AppState>,
    user: CommitteeUser,
    Path(id): Path<i64>,
    Form(input): Form<QuestionInput>,
) -> AppResult<Response> {
    let stored = store::one(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let refused = |errors| -> AppResult<Response> {
        Ok((StatusCode::UNPROCESSABLE_ENTITY, page(&user, id, input.clone(), errors)?).into_response())
    };
    let question = match input.question(&stored.source) {
        Ok(q) => q,
        Err(errors) => return refused(errors),
    };
    let mut tx = state.db.begin().await?;
    if !store::update(&mut tx, id, &question).await? {
        let mut errors = FieldErrors::default();
        errors.add("stem", "题库里已有相同题干的另一道题，不能改成重复的题");
        return refused(errors);
    }
    let detail = format!(
        "{}：{} → {}（答案 {}）",
        question.kind().label(),
        stored.stem,
        question.stem,
        question.answer
    );
    audit::record_in(
        &mut tx,
        &Actor::user(&user),
        Action::QuestionEdit,
        &format!("question:{id}"),
        &detail,
        true,
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/questions?q={}", urlencode(&question.stem)), "题目已保存"))
}

fn urlencode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.chars().take(20).collect::<String>().as_bytes()).collect()
}
