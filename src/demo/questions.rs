//! The demo's question bank: about two hundred questions on 党章, 党史, 乡村振兴, 防疫 and 农技,
//! written for the demo as a branch would pass them around (one a line, the answer in brackets)
//! and read by the bank's own rough-bank parser, each section its category.

use crate::db::Db;
use crate::quiz::model::Question;
use crate::quiz::parse::understand_text;
use crate::quiz::store;

const BANK: &str = include_str!("questions.txt");

/// The questions, each with its section's category.
pub fn questions() -> Vec<Question> {
    let mut all = Vec::new();
    for section in BANK.split("# ").filter(|s| !s.trim().is_empty()) {
        let (category, lines) = section.split_once('\n').unwrap_or((section, ""));
        for located in understand_text(lines).questions {
            let mut question = located.question;
            question.category = category.trim().to_owned();
            question.source = "冬训演示题库".into();
            all.push(question);
        }
    }
    all
}

/// Stores the demo bank.
pub async fn seed(db: &Db) -> anyhow::Result<()> {
    let mut tx = db.begin().await?;
    store::insert_all(&mut tx, &questions(), None).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::quiz::model::QuestionKind;

    #[test]
    fn every_demo_line_is_understood_once_and_every_kind_and_topic_is_there() {
        let sections: Vec<&str> = BANK.split("# ").filter(|s| !s.trim().is_empty()).collect();
        for section in &sections {
            let understood = understand_text(section.split_once('\n').unwrap().1);
            assert_eq!(understood.problems, [], "{}", &section[..12]);
        }
        let questions = questions();
        assert!(questions.len() >= 195, "{}", questions.len());
        let keys: HashSet<String> = questions.iter().map(Question::key).collect();
        assert_eq!(keys.len(), questions.len(), "no question twice");
        for kind in QuestionKind::ALL {
            assert!(questions.iter().filter(|q| q.kind() == *kind).count() >= 10, "{kind:?}");
        }
        let topics: HashSet<&str> = questions.iter().map(|q| q.category.as_str()).collect();
        assert_eq!(topics, ["党章", "党史", "乡村振兴", "防疫", "农技"].into_iter().collect());
    }
}
