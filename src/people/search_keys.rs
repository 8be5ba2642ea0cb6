//! Pinyin search keys, so a secretary can find 张三 by typing "zs" or
//! "zhangs" on a phone keyboard without switching input methods.

use pinyin::ToPinyin;

use crate::people::text::normalize_text;

/// Surnames whose reading differs from the character's most common one.
/// Applied to the first character only, where a surname sits.
const SURNAME_READINGS: [(char, &str); 12] = [
    ('曾', "zeng"),
    ('单', "shan"),
    ('解', "xie"),
    ('仇', "qiu"),
    ('朴', "piao"),
    ('区', "ou"),
    ('查', "zha"),
    ('乐', "yue"),
    ('翟', "zhai"),
    ('覃', "qin"),
    ('盖', "ge"),
    ('缪', "miao"),
];

/// Computes the search keys of a name: full pinyin without separators or
/// tones ("zhangsan") and the initials ("zs"). ASCII letters and digits
/// are kept (lower-cased) in both; ü is written "v" as on a keyboard;
/// anything else (dots, spaces, unknown characters) is skipped.
pub fn pinyin_keys(name: &str) -> (String, String) {
    let mut full = String::with_capacity(name.len() * 2);
    let mut initials = String::with_capacity(name.len());
    for (index, ch) in name.chars().enumerate() {
        if ch.is_ascii_alphanumeric() {
            full.push(ch.to_ascii_lowercase());
            initials.push(ch.to_ascii_lowercase());
            continue;
        }
        let Some(reading) = reading_of(ch, index == 0) else {
            continue;
        };
        for letter in reading.chars() {
            full.push(if letter == 'ü' { 'v' } else { letter });
        }
        initials.extend(reading.chars().next());
    }
    (full, initials)
}

/// Describes search semantics (the SQL query does the same with LIKE):
/// after normalising and lower-casing the query, a member matches if the
/// name contains it, or the initials or the full pinyin start with it.
/// An empty query matches everyone.
pub fn matches_search(query: &str, name: &str, full: &str, initials: &str) -> bool {
    let query: String =
        normalize_text(query).chars().filter(|c| *c != ' ').flat_map(char::to_lowercase).collect();
    query.is_empty() || name.contains(&query) || initials.starts_with(&query) || full.starts_with(&query)
}

fn reading_of(ch: char, is_first: bool) -> Option<&'static str> {
    if is_first && let Some((_, reading)) = SURNAME_READINGS.iter().find(|(c, _)| *c == ch) {
        return Some(reading);
    }
    ch.to_pinyin().map(|p| p.plain())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(name: &str) -> (String, String) {
        pinyin_keys(name)
    }

    fn pair(full: &str, initials: &str) -> (String, String) {
        (full.to_owned(), initials.to_owned())
    }

    #[test]
    fn plain_names() {
        assert_eq!(keys("张三"), pair("zhangsan", "zs"));
        assert_eq!(keys("王小明"), pair("wangxiaoming", "wxm"));
        assert_eq!(keys(""), pair("", ""));
    }

    #[test]
    fn surname_readings_apply_to_the_first_character_only() {
        assert_eq!(keys("曾国藩"), pair("zengguofan", "zgf"));
        assert_eq!(keys("单田芳"), pair("shantianfang", "stf"));
        assert_eq!(keys("解放"), pair("xiefang", "xf"));
        assert_eq!(keys("仇英"), pair("qiuying", "qy"));
        assert_eq!(keys("朴树"), pair("piaoshu", "ps"));
        assert_eq!(keys("区伟"), pair("ouwei", "ow"));
        assert_eq!(keys("查良镛"), pair("zhaliangyong", "zly"));
        assert_eq!(keys("乐嘉"), pair("yuejia", "yj"));
        assert_eq!(keys("翟志刚"), pair("zhaizhigang", "zzg"));
        assert_eq!(keys("覃海"), pair("qinhai", "qh"));
        assert_eq!(keys("盖聂"), pair("genie", "gn"));
        assert_eq!(keys("缪斯"), pair("miaosi", "ms"));
        // Not a surname position: the ordinary reading stays.
        assert_eq!(keys("李曾"), pair("liceng", "lc"));
    }

    #[test]
    fn u_umlaut_is_typed_as_v() {
        assert_eq!(keys("吕女"), pair("lvnv", "ln"));
    }

    #[test]
    fn ascii_is_kept_and_other_symbols_skipped() {
        assert_eq!(keys("张San2"), pair("zhangsan2", "zsan2"));
        assert_eq!(keys("阿依·买买提"), pair("ayimaimaiti", "aymmt"));
        assert_eq!(keys("Li Ming"), pair("liming", "liming"));
    }

    #[test]
    fn search_matches_name_initials_or_full_pinyin_prefix() {
        let (full, initials) = keys("张三丰");
        let hit = |q: &str| matches_search(q, "张三丰", &full, &initials);
        for query in ["", " ", "张", "三丰", "zs", "zsf", "ZS", "ｚｓ", "zhang", "zhangsanf", "zhang san"]
        {
            assert!(hit(query), "{query}");
        }
        for query in ["sf", "san", "李", "zx", "zhangsanfeng1"] {
            assert!(!hit(query), "{query}");
        }
    }
}
