//! The visit form: what the assignee typed, and the checks that turn it into facts to store.
//! Pure: no I/O, so every rule is unit-tested.

use chrono::NaiveDate;

use super::Confirmer;

/// Shortest and longest study time accepted for one visit, in minutes.
pub const MINUTES_RANGE: (i64, i64) = (10, 480);
/// Longest free text accepted.
const MAX_TEXT: usize = 2000;
/// Longest confirmer name accepted.
const MAX_NAME: usize = 20;

/// The visit form as typed (kept to re-show it after an error).
#[derive(Debug, Clone, Default)]
pub struct VisitInput {
    /// `2021-01-12`.
    pub visited_on: String,
    /// Minutes studied.
    pub minutes: String,
    /// The campaign topics delivered, as ticked ('' or '0' stand for none).
    pub topic_ids: Vec<String>,
    /// What was taught.
    pub content: String,
    /// Books handed over: names from the task's materials.
    pub books: Vec<String>,
    /// What the member said.
    pub member_words: String,
    /// Confirmer kind code.
    pub confirmed_by_kind: String,
    /// Confirmer's name.
    pub confirmed_by_name: String,
    /// The uploaded photo, if a file was chosen.
    pub photo: Option<Vec<u8>>,
    /// The photo was larger than allowed and was not read to the end.
    pub photo_too_large: bool,
    /// Why the photo could not be re-encoded (set by the handler, which re-encodes only a
    /// visit whose other fields are valid).
    pub photo_error: Option<String>,
}

impl VisitInput {
    /// Whether the topic is ticked.
    pub fn has_topic(&self, id: &i64) -> bool {
        self.topic_ids.iter().any(|t| t.trim() == id.to_string())
    }
}

/// What the checks need to know about the task.
#[derive(Debug, Clone)]
pub struct VisitContext<'a> {
    /// Today in Shanghai.
    pub today: NaiveDate,
    /// The campaign's first and last day.
    pub campaign_days: (NaiveDate, NaiveDate),
    /// The task's materials: the only books that can be ticked.
    pub materials: &'a [String],
    /// Books with no copy left in stock: they cannot be handed over.
    pub out_of_stock: &'a [String],
    /// The campaign's topic ids.
    pub topics: &'a [i64],
}

/// A checked visit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitFacts {
    /// Visit date.
    pub visited_on: NaiveDate,
    /// Minutes studied.
    pub minutes: i64,
    /// The campaign's topics delivered (distinct, in the order ticked).
    pub topic_ids: Vec<i64>,
    /// What was taught.
    pub content: String,
    /// Books handed over.
    pub books: Vec<String>,
    /// What the member said.
    pub member_words: String,
    /// Who confirmed.
    pub confirmer: Confirmer,
    /// Their name.
    pub confirmed_by_name: String,
    /// The photo: as uploaded from `validate`, re-encoded by the handler before it is stored.
    pub photo: Option<Vec<u8>>,
}

/// Why a book cannot be handed over: none left in stock.
pub fn out_of_stock(book: &str) -> String {
    format!("送达书籍资料：“{book}”库存为0，不能登记送出；请联系街道管理员入库后再登记，或取消勾选")
}

fn clean(text: &str) -> String {
    text.trim().replace("\r\n", "\n")
}

/// Checks the form; every problem is listed in Chinese, naming the field.
pub fn validate(input: &VisitInput, ctx: &VisitContext) -> Result<VisitFacts, Vec<String>> {
    let mut errors = Vec::new();
    let visited_on = match NaiveDate::parse_from_str(input.visited_on.trim(), "%Y-%m-%d") {
        Err(_) => {
            errors.push("走访日期：请选择日期".to_owned());
            None
        }
        Ok(d) if d > ctx.today => {
            errors.push("走访日期：不能晚于今天".to_owned());
            None
        }
        Ok(d) if d < ctx.campaign_days.0 || d > ctx.campaign_days.1 => {
            errors.push(format!(
                "走访日期：应在本次冬训期间（{}至{}）",
                ctx.campaign_days.0, ctx.campaign_days.1
            ));
            None
        }
        Ok(d) => Some(d),
    };
    let (low, high) = MINUTES_RANGE;
    let minutes = input.minutes.trim().parse::<i64>().ok().filter(|m| (low..=high).contains(m));
    if minutes.is_none() {
        errors.push(format!("学习时长：请填写{low}到{high}分钟"));
    }
    let mut topic_ids = Vec::new();
    for text in &input.topic_ids {
        match text.trim() {
            "" | "0" => {}
            text => match text.parse::<i64>() {
                Ok(id) if ctx.topics.contains(&id) => {
                    if !topic_ids.contains(&id) {
                        topic_ids.push(id);
                    }
                }
                _ => {
                    errors.push("学习专题：请从列表中选择".to_owned());
                    break;
                }
            },
        }
    }
    let content = clean(&input.content);
    if content.is_empty() {
        errors.push("学习内容：请填写宣讲学习了什么".to_owned());
    } else if content.chars().count() > MAX_TEXT {
        errors.push(format!("学习内容：不能超过{MAX_TEXT}字"));
    }
    let mut books: Vec<String> = Vec::new();
    for book in &input.books {
        if !ctx.materials.contains(book) {
            errors.push(format!("送达书籍资料：“{book}”不在本任务的材料中"));
        } else if ctx.out_of_stock.contains(book) {
            errors.push(out_of_stock(book));
        } else if !books.contains(book) {
            books.push(book.clone());
        }
    }
    let member_words = clean(&input.member_words);
    if member_words.chars().count() > MAX_TEXT {
        errors.push(format!("党员心声：不能超过{MAX_TEXT}字"));
    }
    let confirmer = Confirmer::from_code(input.confirmed_by_kind.trim());
    if confirmer.is_none() {
        errors.push("确认人：请选择本人、家属或村社工作人员".to_owned());
    }
    let confirmed_by_name = clean(&input.confirmed_by_name);
    if confirmed_by_name.is_empty() {
        errors.push("确认人姓名：请填写".to_owned());
    } else if confirmed_by_name.chars().count() > MAX_NAME {
        errors.push(format!("确认人姓名：不能超过{MAX_NAME}字"));
    }
    let photo = if input.photo_too_large {
        errors.push(format!(
            "照片：不能超过{}MB，请重新拍摄或选择较小的照片",
            super::MAX_PHOTO_BYTES / 1024 / 1024
        ));
        None
    } else if let Some(reason) = &input.photo_error {
        errors.push(format!("照片：{reason}"));
        None
    } else {
        // As uploaded: the handler re-encodes it (see `prepare_photo`) once the rest is valid.
        input.photo.clone().filter(|bytes| !bytes.is_empty())
    };
    match (visited_on, minutes, confirmer) {
        (Some(visited_on), Some(minutes), Some(confirmer)) if errors.is_empty() => Ok(VisitFacts {
            visited_on,
            minutes,
            topic_ids,
            content,
            books,
            member_words,
            confirmer,
            confirmed_by_name,
            photo,
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2021, 1, d).unwrap()
    }

    fn good() -> VisitInput {
        VisitInput {
            visited_on: "2021-01-12".into(),
            minutes: "60".into(),
            topic_ids: vec!["7".into(), "7".into()],
            content: " 学习十九届五中全会精神 ".into(),
            books: vec!["《习近平谈治国理政》第三卷".into()],
            member_words: "感谢组织记挂".into(),
            confirmed_by_kind: "family".into(),
            confirmed_by_name: "王小红".into(),
            photo: Some(vec![]),
            photo_too_large: false,
            photo_error: None,
        }
    }

    fn check(input: &VisitInput) -> Result<VisitFacts, Vec<String>> {
        let materials = vec!["《习近平谈治国理政》第三卷".to_owned()];
        let ctx = VisitContext {
            today: day(15),
            campaign_days: (day(1), day(31)),
            materials: &materials,
            out_of_stock: &[],
            topics: &[7],
        };
        validate(input, &ctx)
    }

    #[test]
    fn a_complete_form_becomes_facts() {
        let facts = check(&good()).unwrap();
        assert_eq!(facts.visited_on, day(12));
        assert_eq!(facts.minutes, 60);
        assert_eq!(facts.topic_ids, vec![7], "ticked twice, delivered once");
        assert_eq!(facts.content, "学习十九届五中全会精神");
        assert_eq!(facts.confirmer, Confirmer::Family);
        assert_eq!(facts.photo, None, "an empty file input is no photo");
    }

    #[test]
    fn every_problem_is_named() {
        let bad = VisitInput {
            visited_on: "2021-01-20".into(),
            minutes: "5".into(),
            topic_ids: vec!["7".into(), "99".into()],
            content: "  ".into(),
            books: vec!["别的书".into()],
            member_words: String::new(),
            confirmed_by_kind: "neighbour".into(),
            confirmed_by_name: String::new(),
            photo: None,
            photo_too_large: false,
            photo_error: Some("图片格式无法识别".into()),
        };
        let errors = check(&bad).unwrap_err();
        let all = errors.join("\n");
        for expected in [
            "不能晚于今天",
            "10到480分钟",
            "学习专题",
            "学习内容",
            "别的书",
            "确认人：",
            "确认人姓名",
            "照片：图片格式无法识别",
        ] {
            assert!(all.contains(expected), "{expected} in {all}");
        }
    }

    #[test]
    fn a_book_out_of_stock_cannot_be_handed_over() {
        let materials = vec!["《习近平谈治国理政》第三卷".to_owned()];
        let ctx = VisitContext {
            today: day(15),
            campaign_days: (day(1), day(31)),
            materials: &materials,
            out_of_stock: &materials,
            topics: &[7],
        };
        let errors = validate(&good(), &ctx).unwrap_err();
        assert!(errors[0].contains("库存为0，不能登记送出"), "{errors:?}");
        let mut without = good();
        without.books.clear();
        assert!(validate(&without, &ctx).is_ok(), "the visit itself is fine without the book");
    }

    #[test]
    fn visits_outside_the_campaign_are_refused() {
        let mut input = good();
        input.visited_on = "2020-12-31".into();
        let errors = check(&input).unwrap_err();
        assert!(errors[0].contains("冬训期间"), "{errors:?}");
        input.visited_on = "昨天".into();
        assert!(check(&input).unwrap_err()[0].contains("请选择日期"));
    }
}
