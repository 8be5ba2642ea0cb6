//! Multi-row statements for both backends: numbered parameters for rows of values, made
//! anonymous on SQLite (where looking up a numbered parameter's name is slow at thousands).

use super::Tx;

/// On SQLite, `$1, $2, …` become anonymous `?`: SQLite resolves a numbered parameter's name by
/// walking its list of names, so a 5,000-parameter statement spent most of its time there
/// (`sqlite3_bind_parameter_name`, 23 % of the ingest profile). Our statements number their
/// parameters in order of appearance, so positions are the same.
pub fn positional(tx: &Tx, sql: String) -> String {
    if !tx.is_sqlite() {
        return sql;
    }
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
            while chars.peek().is_some_and(char::is_ascii_digit) {
                chars.next();
            }
            out.push('?');
        } else {
            out.push(c);
        }
    }
    out
}

/// `$first, …` for `count` parameters.
pub fn params(first: usize, count: usize) -> String {
    (first..first + count).map(|n| format!("${n}")).collect::<Vec<_>>().join(", ")
}

/// `($1, $2, $3[, extra]), ($4, …)`: `rows` tuples of `width` parameters each, with a constant
/// `extra` appended to each tuple when it is not empty.
pub fn tuples(rows: usize, width: usize, extra: &str) -> String {
    (0..rows)
        .map(|row| {
            let mut tuple = params(row * width + 1, width);
            if !extra.is_empty() {
                tuple.push_str(", ");
                tuple.push_str(extra);
            }
            format!("({tuple})")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tuples_number_parameters_across_rows() {
        assert_eq!(tuples(2, 3, "0"), "($1, $2, $3, 0), ($4, $5, $6, 0)");
        assert_eq!(tuples(1, 2, ""), "($1, $2)");
        assert_eq!(params(3, 2), "$3, $4");
    }
}
