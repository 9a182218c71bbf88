//! What a log line or an exported span must not show, masked on the way out (`crate::redact`
//! decides what).

use std::io::Write;

use opentelemetry::{KeyValue, Value};
use opentelemetry_sdk::trace::SpanData;
use tracing_subscriber::fmt::MakeWriter;

use crate::redact;

/// Masks secret attributes and secret-looking text in a span, its name and its events.
pub fn redact_span(span: &mut SpanData) {
    redact_attributes(&mut span.attributes);
    if let std::borrow::Cow::Owned(name) = redact::text(&span.name) {
        span.name = name.into();
    }
    for event in span.events.events.iter_mut() {
        if let std::borrow::Cow::Owned(name) = redact::text(&event.name) {
            event.name = name.into();
        }
        redact_attributes(&mut event.attributes);
    }
}

fn redact_attributes(attributes: &mut [KeyValue]) {
    for kv in attributes.iter_mut() {
        if redact::is_secret_key(kv.key.as_str()) {
            kv.value = Value::from("***");
        } else if let Value::String(s) = &kv.value {
            if let std::borrow::Cow::Owned(clean) = redact::text(s.as_str()) {
                kv.value = Value::from(clean);
            }
        }
    }
}

/// A log writer that redacts each event's line before it is written.
pub(super) struct Redacting<W>(pub(super) W);

impl<'a, W: MakeWriter<'a>> MakeWriter<'a> for Redacting<W> {
    type Writer = RedactingLine<W::Writer>;

    fn make_writer(&'a self) -> Self::Writer {
        RedactingLine {
            line: Vec::new(),
            out: self.0.make_writer(),
        }
    }
}

/// Collects one event's output; redacts and writes it when dropped.
pub struct RedactingLine<W: Write> {
    line: Vec<u8>,
    out: W,
}

impl<W: Write> Write for RedactingLine<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.line.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<W: Write> Drop for RedactingLine<W> {
    fn drop(&mut self) {
        let text = String::from_utf8_lossy(&self.line);
        let _ = self.out.write_all(redact::text(&text).as_bytes());
        let _ = self.out.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn span_attributes_and_events_are_redacted() {
        let mut attributes = vec![
            KeyValue::new("password", "hunter2"),
            KeyValue::new("mobile", "13800138000"),
            KeyValue::new("http.route", "/openApi/getSmsCode"),
        ];
        redact_attributes(&mut attributes);
        assert_eq!(attributes[0].value, Value::from("***"));
        assert_eq!(attributes[1].value, Value::from("138****8000"));
        assert_eq!(attributes[2].value, Value::from("/openApi/getSmsCode"));
    }
}
