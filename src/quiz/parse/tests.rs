//! Every rough shape issue 10 lists, made up here, with broken rows; the header shape; bounds.

use proptest::prelude::*;

use super::line::understand_line;
use super::rough::{normalise_blanks, split_options, strip_numbering, strip_source, understand};
use super::*;
use crate::formats::table::{Cell, TableRow};
use crate::quiz::model::QuestionKind::{Blank, Judge, Multiple, Single};

fn table(rows: &[&[&str]]) -> Table {
    Table {
        rows: rows
            .iter()
            .enumerate()
            .map(|(i, cells)| TableRow {
                number: i + 1,
                cells: cells
                    .iter()
                    .map(|c| if c.is_empty() { Cell::Empty } else { Cell::Text((*c).into()) })
                    .collect(),
            })
            .collect(),
    }
}

#[test]
fn a_headerless_sheet_reads_letters_lists_option_texts_and_judgements() {
    let sheet = table(&[
        &["村级组织换届每几年一次？A. 三年 B. 四年 C. 五年", "C"],
        &["下列属于党的纪律的有 A.政治纪律 B.组织纪律 C.天气 D.廉洁纪律", "ABD"],
        &["乡村振兴的总要求包括？A、产业兴旺 B、生态宜居 C、乡风文明", "['a', 'c']"],
        &["种植水稻最需要的是 A.水 B.沙", "水"],
        &["防疫期间应当勤洗手", "√"],
        &["冬训一般在农闲时节开展", "错"],
        &["没有答案的一行"],
        &["选哪个？", "B"],
        &["下列哪项正确 A.甲 B.乙", "丙"],
    ]);
    let u = understand_table(&table(&sheet.rows.iter().map(|_| &[][..]).take(0).collect::<Vec<&[&str]>>()));
    assert!(u.questions.is_empty());
    let u = understand_table(&sheet);
    assert_eq!(u.shape, Shape::Sheet);
    let kinds: Vec<_> =
        u.questions.iter().map(|l| (l.place, l.question.kind(), l.question.answer.as_str())).collect();
    assert_eq!(
        kinds,
        [
            (1, Single, "C"),
            (2, Multiple, "ABD"),
            (3, Multiple, "AC"),
            (4, Single, "A"),
            (5, Judge, "正确"),
            (6, Judge, "错误")
        ]
    );
    assert_eq!(u.questions[0].question.stem, "村级组织换届每几年一次？");
    assert_eq!(u.questions[0].question.options, ["三年", "四年", "五年"]);
    let problems: Vec<_> = u.problems.iter().map(|p| p.place).collect();
    assert_eq!(problems, [7, 8, 9]);
    assert!(u.problems[1].reason.contains("没有找到选项"), "{:?}", u.problems[1]);
    assert!(u.problems[2].reason.contains("丙"));
}

#[test]
fn a_headerless_sheet_with_blank_answers_is_fill_in() {
    let u = understand_table(&table(&[&["党的根本宗旨是____。", "全心全意为人民服务"]]));
    let q = &u.questions[0].question;
    assert_eq!(
        (q.kind(), q.stem.as_str(), q.answer.as_str()),
        (Blank, "党的根本宗旨是（ ）。", "全心全意为人民服务")
    );
}

#[test]
fn json_lists_of_objects_and_question_to_answer_maps() {
    let list = r#"[{"question": "中国共产党成立于哪一年？A.1919 B.1921 C.1949", "answer": "B"},
                   {"question": "入党誓词中要求“永不叛党”", "answer": "对"},
                   {"question": "", "answer": "A"},
                   {"answer": "A"}]"#;
    let u = understand_json(list).unwrap();
    assert_eq!(u.questions.len(), 2);
    assert_eq!(u.questions[0].question.answer, "B");
    assert_eq!(u.questions[1].question.kind(), Judge);
    assert_eq!(u.problems.iter().map(|p| p.place).collect::<Vec<_>>(), [3, 4]);

    let map = r#"{"党的最高领导机关是|全国代表大会和它产生的中央委员会|中央纪律检查委员会|国务院": "全国代表大会和它产生的中央委员会",
                  "玉米播种后应及时（  ）": "镇压保墒"}"#;
    let u = understand_json(map).unwrap();
    assert_eq!(u.problems, []);
    let choice = u.questions.iter().find(|l| l.question.kind() == Single).unwrap();
    assert_eq!((choice.question.options.len(), choice.question.answer.as_str()), (3, "A"));
    let blank = u.questions.iter().find(|l| l.question.kind() == Blank).unwrap();
    assert_eq!(blank.question.stem, "玉米播种后应及时（ ）");

    assert!(understand_json("[1, 2").unwrap_err().contains("JSON"));
    assert!(understand_json("42").is_err());
}

#[test]
fn plain_text_lines_with_answers_in_brackets_or_after_the_stem() {
    let text = "1. 党员应当按时交纳（A）。A.党费 B.会费 C.学费\n\
                \n\
                2、农村基层党组织的书记一般任期五年。（√）\n\
                （3）防疫时佩戴口罩应当（ ）。A．遮住口鼻 B．只遮嘴 【答案】A\n\
                第4题 党的根本宗旨是（全心全意为人民服务）。\n\
                5. 下列属于三农问题的是（ABC）A.农业 B.农村 C.农民 D.城市\n\
                6. 化肥施用越多越好\t错\n\
                7. 这一行什么答案也没有\n\
                8. 党章规定党员有几项义务？答案：8 【出题：第一支部】\n";
    let u = understand_text(text);
    let got: Vec<_> =
        u.questions.iter().map(|l| (l.place, l.question.kind(), l.question.answer.clone())).collect();
    assert_eq!(
        got,
        [
            (1, Single, "A".to_string()),
            (3, Judge, "正确".into()),
            (4, Single, "A".into()),
            (5, Blank, "全心全意为人民服务".into()),
            (6, Multiple, "ABC".into()),
            (7, Judge, "错误".into()),
            (9, Blank, "8".into()),
        ]
    );
    assert_eq!(u.questions[0].question.stem, "党员应当按时交纳（ ）。");
    assert_eq!(u.questions[6].question.source, "第一支部");
    assert_eq!(u.problems.len(), 1);
    assert_eq!(u.problems[0].place, 8);
    assert!(u.problems[0].reason.contains("没有找到答案"));
}

#[test]
fn blanks_in_every_usual_writing_become_one_form() {
    for stem in [
        "党的宗旨是（ ）",
        "党的宗旨是(  )",
        "党的宗旨是（）",
        "党的宗旨是____",
        "党的宗旨是\u{a0}\u{a0}\u{a0}\u{a0}",
        "党的宗旨是　　　",
    ] {
        let written = format!("{stem}。");
        assert_eq!(normalise_blanks(&written), ("党的宗旨是（ ）。".to_string(), true), "{stem:?}");
    }
    assert_eq!(normalise_blanks("没有空"), ("没有空".into(), false));
}

#[test]
fn attributions_go_to_the_source() {
    assert_eq!(strip_source("题目【出题：张三】内容"), ("题目内容".into(), "张三".into()));
    assert_eq!(strip_source("题目（来源:党史学习读本）"), ("题目".into(), "党史学习读本".into()));
    assert_eq!(strip_source("题目 来源：某镇题库"), ("题目 ".into(), "某镇题库".into()));
    assert_eq!(strip_source("来源不明的说法对吗"), ("来源不明的说法对吗".into(), String::new()));
    let q = understand("冬训是否在农闲开展【出题人：李四】", "对", &[]).unwrap();
    assert_eq!((q.stem.as_str(), q.source.as_str()), ("冬训是否在农闲开展", "李四"));
}

#[test]
fn full_width_forms_fold() {
    let q = understand("ＷＴＯ成立于（　）年？Ａ．１９９５　Ｂ．２００１", "Ａ", &[]).unwrap();
    assert_eq!(
        (q.stem.as_str(), q.options.join("/"), q.answer.as_str()),
        ("WTO成立于（ ）年？", "1995/2001".into(), "A")
    );
}

#[test]
fn options_split_only_when_a_and_b_follow_each_other() {
    assert_eq!(split_options("问题 A.甲 B.乙 C.丙").1, ["甲", "乙", "丙"]);
    assert_eq!(split_options("问题(A)甲(B)乙").1, ["甲", "乙"]);
    assert!(split_options("维生素A.含量高").1.is_empty());
    assert!(split_options("GDP.是什么").1.is_empty());
    assert_eq!(strip_numbering("12、党章"), "党章");
    assert_eq!(strip_numbering("1921年建党"), "1921年建党");
}

#[test]
fn duplicates_within_a_file_and_against_the_bank_are_left_out_and_reported() {
    let mut u = understand_text(
        "党员要交党费（√）\n党员 要交党费。（对）\n党员要参加组织生活（√）\n冬训要签到（√）\n",
    );
    let bank = [crate::quiz::model::duplicate_key("冬训要签到")].into_iter().collect();
    u.drop_duplicates(&bank);
    assert_eq!(u.questions.iter().map(|l| l.place).collect::<Vec<_>>(), [1, 3]);
    assert_eq!(u.duplicates.iter().map(|d| (d.place, d.of)).collect::<Vec<_>>(), [(2, Some(1)), (4, None)]);
}

#[test]
fn the_header_shape_reads_any_column_order_and_names_bad_rows() {
    let sheet = table(&[
        &["题库"],
        &["答案", "题干", "题型", "选项B", "选项A", "解析", "分类", "难度"],
        &["A", "党的最高领导机关是（）", "单选", "国务院", "全国代表大会", "党章第十条", "党章", "易"],
        &["AB", "下列是党的纪律的有", "多选题", "组织纪律", "政治纪律", "", "党章", "中"],
        &["X", "第五行坏了", "单选", "乙", "甲", "", "", ""],
        &["正确", "冬训有积分", "问答", "", "", "", "", ""],
        &["√", "党员应当学习", "", "", "", "", "", ""],
    ]);
    let u = understand_table(&sheet);
    assert_eq!(u.shape, Shape::Header);
    assert_eq!(u.questions.len(), 3);
    let first = &u.questions[0].question;
    assert_eq!(
        (first.stem.as_str(), first.options.join("/")),
        ("党的最高领导机关是（ ）", "全国代表大会/国务院".into())
    );
    assert_eq!(
        (first.explanation.as_str(), first.category.as_str(), first.difficulty.as_str()),
        ("党章第十条", "党章", "易")
    );
    assert_eq!(u.questions[2].question.kind(), Judge, "no 题型: inferred");
    assert_eq!(u.problems.iter().map(|p| p.place).collect::<Vec<_>>(), [5, 6]);
    assert!(u.problems[1].reason.contains("问答"));
}

#[test]
fn text_files_decode_utf8_with_bom_and_gb18030_and_refuse_huge_ones() {
    assert_eq!(decode_text("\u{feff}题".as_bytes()).unwrap(), "题");
    let (gbk, _, _) = encoding_rs::GB18030.encode("党章（A）");
    assert_eq!(decode_text(&gbk).unwrap(), "党章（A）");
    assert!(decode_text(&vec![b'a'; MAX_TEXT_BYTES + 1]).unwrap_err().contains("太大"));
    assert_eq!(file_kind("bank.txt", b"[1]"), FileKind::Text);
    assert_eq!(file_kind("bank", b" {\"a\":1}"), FileKind::Json);
    assert_eq!(file_kind("题库.csv", b"a,b"), FileKind::Table);
}

#[test]
fn a_file_stops_at_the_question_limit_and_says_so() {
    let many: String = (0..MAX_QUESTIONS + 5).map(|i| format!("冬训第{i}题（√）\n")).collect();
    let u = understand_text(&many);
    assert_eq!(u.questions.len(), MAX_QUESTIONS);
    assert_eq!(u.problems.len(), 1);
    assert!(u.problems[0].reason.contains("超过"));
    let long = "很".repeat(MAX_QUESTION_CHARS + 1) + "（√）";
    assert!(understand_text(&long).problems[0].reason.contains("超过"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn the_parsers_never_panic_on_arbitrary_text(text in "\\PC{0,300}") {
        let u = understand_text(&text);
        prop_assert!(u.questions.len() + u.problems.len() <= text.lines().count());
        let _ = understand_json(&text);
        let _ = understand_line(&text);
        let _ = understand(&text, &text, &[]);
    }

    #[test]
    fn the_parsers_never_panic_on_bank_like_text(
        parts in proptest::collection::vec(prop_oneof![
            Just("（"), Just("）"), Just("("), Just(")"), Just("【"), Just("】"), Just("A."), Just("B、"),
            Just("Ｃ．"), Just("答案："), Just("来源："), Just("出题："), Just("√"), Just("错"), Just("__"),
            Just("\u{a0}\u{a0}\u{a0}"), Just("\t"), Just("党章"), Just("1."), Just("|"), Just("['a', 'c']"),
        ], 0..40)
    ) {
        let line: String = parts.concat();
        let _ = understand_line(&line);
        let _ = understand_json(&format!("{{\"{}\": \"A\"}}", line.replace('"', "")));
        let u = understand_text(&format!("{line}\n{line}"));
        prop_assert!(u.questions.len() + u.problems.len() <= 2);
    }
}
