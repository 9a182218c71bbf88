//! The channel's daily statement (PAYMENTS.md "Reconciliation"): its lines and its CSV.

/// One line of a statement: `orderNo,channelOrderNo,kind,amount,status,finishedAt`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatementLine {
    pub order_no: String,
    pub channel_order_no: String,
    /// `payout`, `deduct` or `return`.
    pub kind: String,
    pub amount_fen: i64,
    /// `SUCCESS` or `FAIL`.
    pub status: String,
    /// `yyyy-MM-dd HH:mm:ss`, UTC+8.
    pub finished_at: String,
}

/// What the channel answered for a day.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Statement {
    Ready(Vec<StatementLine>),
    /// Not published yet: asked again later.
    NotReady,
    /// No answer, or one that does not verify.
    Unavailable(String),
}

/// Reads the statement's CSV (an optional header line, blank lines ignored).
pub fn parse_csv(text: &str) -> Result<Vec<StatementLine>, String> {
    let mut lines = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let raw = raw.trim();
        if raw.is_empty() || (n == 0 && raw.starts_with("orderNo")) {
            continue;
        }
        let fields: Vec<&str> = raw.split(',').map(str::trim).collect();
        let [order_no, channel_order_no, kind, amount, status, finished_at] = fields[..] else {
            return Err(format!("line {}: six fields expected", n + 1));
        };
        let amount_fen = amount
            .parse::<i64>()
            .ok()
            .filter(|a| *a >= 0)
            .ok_or_else(|| format!("line {}: amount {amount:?}", n + 1))?;
        if !matches!(kind, "payout" | "deduct" | "return") || !matches!(status, "SUCCESS" | "FAIL") {
            return Err(format!("line {}: kind {kind:?} status {status:?}", n + 1));
        }
        lines.push(StatementLine {
            order_no: order_no.to_owned(),
            channel_order_no: channel_order_no.to_owned(),
            kind: kind.to_owned(),
            amount_fen,
            status: status.to_owned(),
            finished_at: finished_at.to_owned(),
        });
    }
    Ok(lines)
}
