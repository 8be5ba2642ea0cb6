//! The checks that look across a row's cells (a birth date against the ID card, a join date
//! against the birth) and across rows (the same ID card or phone twice).

use std::collections::HashMap;

use chrono::NaiveDate;

use super::RowParser;
use super::columns::Field;
use super::fields::LooseDate;
use crate::formats::table::TableRow;
use crate::people::dates::DatePrecision;
use crate::people::doubt::{add_years, doubt_of, month_of};
use crate::people::model::{Gender, IdCardNumber, Phone};

impl RowParser {
    /// Checks a typed birth date and reconciles it with the ID number,
    /// whose full date wins (the file may give only year and month).
    pub(super) fn check_birth(
        &mut self,
        row: &TableRow,
        typed: Option<LooseDate>,
        id_card: Option<&IdCardNumber>,
    ) -> Option<NaiveDate> {
        if let Some((date, precision)) = typed {
            if !self.is_plausible_birth(date) {
                self.error(row, Field::BirthDate, "出生日期不合理");
            } else if id_card.is_some_and(|id| !same_date(id.birth_date(), date, precision)) {
                self.error(row, Field::BirthDate, "出生日期与身份证号不一致");
            }
        } else if id_card.is_some_and(|id| !self.is_plausible_birth(id.birth_date())) {
            self.error(row, Field::IdCard, "按身份证号计算未满18周岁");
        }
        id_card.map(IdCardNumber::birth_date).or(typed.map(|(date, _)| date))
    }

    fn is_plausible_birth(&self, date: NaiveDate) -> bool {
        let earliest = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(NaiveDate::MIN);
        let adult = add_years(date, 18).is_some_and(|d| d <= self.today);
        date >= earliest && date <= self.today && adult
    }

    pub(super) fn check_gender(
        &mut self,
        row: &TableRow,
        typed: Option<Gender>,
        id_card: Option<&IdCardNumber>,
    ) -> Option<Gender> {
        let from_id = id_card.map(IdCardNumber::gender);
        if let (Some(typed), Some(from_id)) = (typed, from_id)
            && typed != from_id
        {
            self.error(row, Field::Gender, "性别与身份证号不一致");
        }
        from_id.or(typed)
    }

    pub(super) fn check_joined(
        &mut self,
        row: &TableRow,
        joined: Option<LooseDate>,
        birth: Option<NaiveDate>,
    ) -> Option<NaiveDate> {
        let (date, _) = joined?;
        let founding = NaiveDate::from_ymd_opt(1921, 7, 1).unwrap_or(NaiveDate::MIN);
        if date < founding || date > self.today {
            self.error(row, Field::JoinedParty, "入党时间不合理");
        } else if let Some(doubt) = doubt_of(birth, Some(date)) {
            // Implausible, not impossible (old records): a warning, and the member is flagged.
            let warning = self.finding(row, Field::JoinedParty, doubt);
            self.parsed.warnings.push(warning);
        }
        Some(date)
    }

    pub(super) fn check_duplicates(
        &mut self,
        row: &TableRow,
        phone: Option<&Phone>,
        id: Option<&IdCardNumber>,
    ) {
        if let Some(id) = id
            && let Some(first) = remember(&mut self.first_row_of_id, id.as_str(), row.number)
        {
            self.error(row, Field::IdCard, format!("与第{first}行身份证号重复"));
        }
        // Family members often share one phone (an elderly couple, a son's number): that is
        // fine when both rows carry an ID card, which then tells the two people apart.
        if let Some(phone) = phone {
            match self.first_row_of_phone.get(phone.as_str()) {
                Some(&(first, first_had_id)) if !(first_had_id && id.is_some()) => {
                    self.error(
                        row,
                        Field::Phone,
                        format!("与第{first}行手机号码重复（共用手机号时两行都须填写身份证号）"),
                    );
                }
                Some(_) => {}
                None => {
                    self.first_row_of_phone.insert(phone.as_str().to_owned(), (row.number, id.is_some()));
                }
            }
        }
    }
}

/// Records the first row a value appears on; returns that row if the
/// value was seen before.
fn remember(seen: &mut HashMap<String, usize>, value: &str, row: usize) -> Option<usize> {
    if let Some(&first) = seen.get(value) {
        return Some(first);
    }
    seen.insert(value.to_owned(), row);
    None
}

fn same_date(exact: NaiveDate, typed: NaiveDate, precision: DatePrecision) -> bool {
    match precision {
        DatePrecision::Day => exact == typed,
        DatePrecision::Month => month_of(exact) == month_of(typed),
    }
}
