//! The command line's own errors (an unknown option, a bad value, a missing
//! argument) in Vietnamese: clap writes them in English only. English keeps
//! clap's rendering, with its suggestions.

use chiso_core::Lang;
use clap::error::{ContextKind, ContextValue, ErrorKind};

/// The exit code clap uses for usage errors.
const USAGE_ERROR: i32 = 2;

/// Prints `error` in `lang` and exits: help and version go to standard output as
/// clap prints them, errors to standard error with code 2.
pub fn exit(error: clap::Error, lang: Lang) -> ! {
    let shown_by_clap = matches!(
        error.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    );
    if lang == Lang::En || shown_by_clap {
        error.exit()
    }
    eprintln!("{}", vietnamese(&error));
    std::process::exit(USAGE_ERROR)
}

fn value(error: &clap::Error, kind: ContextKind) -> Option<String> {
    match error.get(kind)? {
        ContextValue::String(s) => Some(s.clone()),
        ContextValue::Strings(list) => Some(list.join(", ")),
        ContextValue::StyledStr(s) => Some(s.to_string()),
        ContextValue::StyledStrs(list) => {
            Some(list.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "))
        }
        ContextValue::Number(n) => Some(n.to_string()),
        ContextValue::Bool(b) => Some(b.to_string()),
        ContextValue::None => None,
        _ => None,
    }
}

/// The message in Vietnamese: what is wrong, what would be right when clap knows,
/// and where to read more.
pub fn vietnamese(error: &clap::Error) -> String {
    let arg = value(error, ContextKind::InvalidArg).unwrap_or_default();
    let given = value(error, ContextKind::InvalidValue).unwrap_or_default();
    let mut text = match error.kind() {
        ErrorKind::UnknownArgument => format!("lỗi: không có tuỳ chọn hay đối số '{arg}'."),
        ErrorKind::InvalidSubcommand => {
            let name = value(error, ContextKind::InvalidSubcommand).unwrap_or(arg);
            format!("lỗi: không có lệnh '{name}'.")
        }
        ErrorKind::InvalidValue | ErrorKind::ValueValidation if given.is_empty() => {
            format!("lỗi: '{arg}' cần một giá trị.")
        }
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => {
            format!("lỗi: giá trị '{given}' không hợp lệ cho '{arg}'.")
        }
        ErrorKind::MissingRequiredArgument => {
            format!("lỗi: thiếu đối số bắt buộc: {arg}.")
        }
        ErrorKind::MissingSubcommand => "lỗi: cần chọn một lệnh.".to_owned(),
        ErrorKind::ArgumentConflict => {
            let other = value(error, ContextKind::PriorArg).unwrap_or_default();
            format!("lỗi: '{arg}' không dùng cùng với '{other}'.")
        }
        ErrorKind::NoEquals => format!("lỗi: '{arg}' cần dấu '=' trước giá trị."),
        ErrorKind::TooManyValues | ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => {
            format!("lỗi: số giá trị của '{arg}' không đúng.")
        }
        ErrorKind::InvalidUtf8 => "lỗi: dòng lệnh có ký tự không phải UTF-8.".to_owned(),
        _ => "lỗi: dòng lệnh không hợp lệ.".to_owned(),
    };
    if let Some(valid) = value(error, ContextKind::ValidValue) {
        text.push_str(&format!("\n  giá trị được chấp nhận: {valid}"));
    }
    let suggested = [ContextKind::SuggestedArg, ContextKind::SuggestedSubcommand].into_iter().find_map(
        |kind| match error.get(kind)? {
            ContextValue::String(s) => Some(vec![s.clone()]),
            ContextValue::Strings(list) => Some(list.clone()),
            _ => None,
        },
    );
    if let Some(list) = suggested.filter(|list| !list.is_empty()) {
        let quoted: Vec<String> = list.iter().map(|s| format!("'{s}'")).collect();
        text.push_str(&format!("\n  gợi ý: có phải ý bạn là {}?", quoted.join(" hoặc ")));
    }
    text.push_str("\n\nXem hướng dẫn: chiso --help (hoặc chiso LỆNH --help).");
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{Arg, Command};

    fn command() -> Command {
        Command::new("chiso")
            .arg(Arg::new("format").long("format").value_parser(["table", "json"]))
            .subcommand(Command::new("score").arg(Arg::new("package").required(true)))
    }

    fn error_of(args: &[&str]) -> clap::Error {
        match command().try_get_matches_from(args) {
            Err(e) => e,
            Ok(_) => panic!("{args:?} should be refused"),
        }
    }

    #[test]
    fn usage_errors_are_said_in_vietnamese_with_what_would_be_right() {
        let text = vietnamese(&error_of(&["chiso", "--format", "xml"]));
        assert!(text.contains("giá trị 'xml' không hợp lệ cho '--format <format>'"), "{text}");
        assert!(text.contains("giá trị được chấp nhận: table, json"), "{text}");
        let text = vietnamese(&error_of(&["chiso", "--formt", "json"]));
        assert!(
            text.contains("không có tuỳ chọn hay đối số '--formt'") && text.contains("'--format'"),
            "{text}"
        );
        let text = vietnamese(&error_of(&["chiso", "score"]));
        assert!(text.contains("thiếu đối số bắt buộc: <package>"), "{text}");
        for args in [&["chiso", "--format", "xml"][..], &["chiso", "scor"], &["chiso", "score"]] {
            let text = vietnamese(&error_of(args));
            for english in ["error", "invalid", "unexpected", "Usage", "required", "found"] {
                assert!(!text.contains(english), "{english} in {text}");
            }
        }
    }
}
