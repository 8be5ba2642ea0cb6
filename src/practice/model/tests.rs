use super::*;

#[test]
fn single_choice_is_one_letter_written_any_usual_way() {
    assert!(grade(QuestionKind::Single, "B", "B"));
    assert!(grade(QuestionKind::Single, "B", "b"));
    assert!(grade(QuestionKind::Single, "B", "Ｂ"));
    assert!(!grade(QuestionKind::Single, "B", "A"));
    assert!(!grade(QuestionKind::Single, "B", "AB"));
    assert!(!grade(QuestionKind::Single, "B", ""));
}

#[test]
fn multiple_choice_ignores_order_but_not_a_missing_or_extra_letter() {
    assert!(grade(QuestionKind::Multiple, "ACD", "DCA"));
    assert!(grade(QuestionKind::Multiple, "ACD", "A、C、D"));
    assert!(!grade(QuestionKind::Multiple, "ACD", "AC"));
    assert!(!grade(QuestionKind::Multiple, "ACD", "ABCD"));
}

#[test]
fn judgement_reads_every_usual_sign() {
    assert!(grade(QuestionKind::Judge, "正确", "对"));
    assert!(grade(QuestionKind::Judge, "正确", "√"));
    assert!(grade(QuestionKind::Judge, "错误", "错误"));
    assert!(!grade(QuestionKind::Judge, "错误", "正确"));
    assert!(!grade(QuestionKind::Judge, "错误", "也许"));
}

#[test]
fn a_blank_accepts_any_of_its_answers_ignoring_width_spaces_and_punctuation() {
    assert!(grade(QuestionKind::Blank, "实事求是", " 实事求是。"));
    assert!(grade(QuestionKind::Blank, "为人民服务|全心全意为人民服务", "全心全意为人民服务"));
    assert!(grade(QuestionKind::Blank, "为人民服务|全心全意为人民服务", "为人民服务"));
    assert!(grade(QuestionKind::Blank, "五四；1919", "１９１９"));
    assert!(grade(QuestionKind::Blank, "WTO", "wto"));
    assert!(!grade(QuestionKind::Blank, "实事求是", "求真务实"));
    assert!(!grade(QuestionKind::Blank, "实事求是", "  "));
    assert_eq!(shown_answer(QuestionKind::Blank, "甲|乙"), "甲 或 乙");
}

fn candidate(id: i64, category: &str, difficulty: &str, seen: bool) -> Candidate {
    Candidate { id, category: category.into(), difficulty: difficulty.into(), seen }
}

#[test]
fn unseen_questions_come_before_seen_ones() {
    let mut pool: Vec<Candidate> = (1..=10).map(|id| candidate(id, "党章", "", id <= 7)).collect();
    pool.push(candidate(11, "党史", "", true));
    let drawn = draw(&pool, 5, 42);
    assert_eq!(drawn.len(), 5);
    let unseen: Vec<i64> = drawn[..3].to_vec();
    for id in [8, 9, 10] {
        assert!(unseen.contains(&id), "{drawn:?}");
    }
    let again = draw(&pool, 5, 42);
    assert_eq!(drawn, again, "the same seed draws the same round");
}

#[test]
fn a_draw_mixes_categories_and_difficulties_and_never_repeats() {
    let pool: Vec<Candidate> = (1..=40)
        .map(|id| {
            let category = ["党章", "党史", "防疫", "农技"][(id % 4) as usize];
            candidate(id, category, if id % 2 == 0 { "易" } else { "难" }, false)
        })
        .collect();
    let drawn = draw(&pool, 5, 7);
    let categories: std::collections::HashSet<&str> =
        drawn.iter().map(|id| pool[*id as usize - 1].category.as_str()).collect();
    assert!(categories.len() >= 3, "{drawn:?}");
    let unique: std::collections::HashSet<i64> = drawn.iter().copied().collect();
    assert_eq!(unique.len(), 5);
    assert_eq!(draw(&pool, 100, 1).len(), 40, "no more than the bank holds");
    assert!(draw(&[], 5, 1).is_empty());
}

#[test]
fn scores_passes_and_where_a_round_resumes() {
    assert_eq!(score(3, 5), 60);
    assert_eq!(score(0, 0), 0);
    assert!(passed(60, 60));
    assert!(!passed(59, 60));
    assert_eq!(resume_at(5, &[1, 2]), Some(3));
    assert_eq!(resume_at(5, &[1, 3]), Some(2));
    assert_eq!(resume_at(2, &[1, 2]), None);
}

#[test]
fn the_form_becomes_one_answer_text() {
    let ticked = vec!["C".to_owned(), "A".to_owned()];
    assert_eq!(given_answer(QuestionKind::Multiple, &ticked, ""), "CA");
    assert_eq!(given_answer(QuestionKind::Judge, &["正确".to_owned()], ""), "正确");
    assert_eq!(given_answer(QuestionKind::Blank, &[], "  党章 "), "党章");
    assert_eq!(given_answer(QuestionKind::Blank, &[], &"字".repeat(500)).chars().count(), MAX_ANSWER_CHARS);
}
