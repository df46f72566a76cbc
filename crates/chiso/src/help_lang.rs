//! `--help` in the chosen language only. The command line's texts are written in
//! both languages, Vietnamese first ("Thư mục gói đánh giá. The package folder.");
//! before parsing, every help text of the command tree keeps the sentences of the
//! language asked for (`--lang` or `CHISO_LANG`), and clap's own headings are
//! translated.

use chiso_core::Lang;
use clap::{Arg, ArgAction, Command};
use std::ffi::OsString;

/// The language asked for on the command line (`--lang X`, `--lang=X`), else by
/// `CHISO_LANG`, else Vietnamese: what help and parse errors are written in.
pub fn requested(args: &[OsString]) -> Lang {
    let mut after_flag = false;
    for arg in args.iter().map(|a| a.to_string_lossy()) {
        if after_flag {
            return parse(&arg).unwrap_or(Lang::Vi);
        }
        if arg == "--lang" {
            after_flag = true;
        } else if let Some(value) = arg.strip_prefix("--lang=") {
            return parse(value).unwrap_or(Lang::Vi);
        }
    }
    std::env::var("CHISO_LANG").ok().and_then(|v| parse(&v)).unwrap_or(Lang::Vi)
}

fn parse(code: &str) -> Option<Lang> {
    match code.trim() {
        "vi" => Some(Lang::Vi),
        "en" => Some(Lang::En),
        _ => None,
    }
}

/// `cmd` with every help text (about, after-help, each argument's help, every
/// subcommand's) in `lang` only, and clap's headings in `lang`.
pub fn localise(mut cmd: Command, lang: Lang) -> Command {
    if let Some(text) = cmd.get_about().map(ToString::to_string) {
        cmd = cmd.about(pick(&text, lang));
    }
    if let Some(text) = cmd.get_long_about().map(ToString::to_string) {
        cmd = cmd.long_about(pick(&text, lang));
    }
    if let Some(text) = cmd.get_after_help().map(ToString::to_string) {
        cmd = cmd.after_help(pick(&text, lang));
    }
    let ids: Vec<clap::Id> = cmd.get_arguments().map(|a| a.get_id().clone()).collect();
    for id in ids {
        cmd = cmd.mut_arg(id, |arg| {
            let heading = if arg.is_positional() {
                lang.pick("Đối số", "Arguments")
            } else {
                lang.pick("Tuỳ chọn", "Options")
            };
            let arg = arg.help_heading(heading);
            let help = arg.get_help().map(|h| pick(&h.to_string(), lang)).unwrap_or_default();
            match lang {
                Lang::En => arg.help(help),
                // clap writes "[env: …] [default: …] [possible values: …]" in English.
                Lang::Vi => {
                    let mut notes = Vec::new();
                    // A flag's "true/false" are not values one writes.
                    let takes_values = arg.get_action().takes_values();
                    let possible: Vec<String> = if takes_values {
                        arg.get_possible_values().iter().map(|p| p.get_name().to_owned()).collect()
                    } else {
                        Vec::new()
                    };
                    if !possible.is_empty() {
                        notes.push(format!("giá trị: {}", possible.join(", ")));
                    }
                    let defaults: Vec<String> = if takes_values {
                        arg.get_default_values().iter().map(|v| v.to_string_lossy().into_owned()).collect()
                    } else {
                        Vec::new()
                    };
                    if !defaults.is_empty() {
                        notes.push(format!("mặc định: {}", defaults.join(", ")));
                    }
                    if let Some(env) = arg.get_env() {
                        notes.push(format!("biến môi trường {}", env.to_string_lossy()));
                    }
                    let (has_possible, has_default, has_env) =
                        (!possible.is_empty(), !defaults.is_empty(), arg.get_env().is_some());
                    let help = if notes.is_empty() { help } else { format!("{help} [{}]", notes.join("; ")) };
                    // clap allows hiding only what an argument has.
                    let mut arg = arg.help(help);
                    if has_possible {
                        arg = arg.hide_possible_values(true);
                    }
                    if has_default {
                        arg = arg.hide_default_value(true);
                    }
                    if has_env {
                        arg = arg.hide_env(true);
                    }
                    arg
                }
            }
        });
    }
    let names: Vec<String> = cmd.get_subcommands().map(|s| s.get_name().to_owned()).collect();
    for name in names {
        cmd = cmd.mut_subcommand(name, |sub| localise(sub, lang));
    }
    // clap's own flags, said in `lang` (its built-in ones say "Print help").
    let options = lang.pick("Tuỳ chọn", "Options");
    cmd = cmd.disable_help_flag(true).disable_help_subcommand(true).arg(
        Arg::new("help")
            .short('h')
            .long("help")
            .action(ArgAction::Help)
            .help(lang.pick("In trợ giúp này", "Print this help"))
            .help_heading(options),
    );
    if cmd.get_version().is_some() {
        cmd = cmd.disable_version_flag(true).arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help(lang.pick("In phiên bản", "Print the version"))
                .help_heading(options),
        );
    }
    cmd.subcommand_help_heading(lang.pick("Lệnh", "Commands")).help_template(match lang {
        Lang::Vi => "{about-with-newline}\nCách dùng: {usage}\n\n{all-args}{after-help}",
        Lang::En => "{about-with-newline}\nUsage: {usage}\n\n{all-args}{after-help}",
    })
}

/// Whether a text is Vietnamese: it holds a letter of the Vietnamese alphabet
/// beyond ASCII (every Vietnamese sentence does; English ones here do not).
fn is_vietnamese(text: &str) -> bool {
    text.chars().any(|c| c.is_alphabetic() && !c.is_ascii())
}

/// The sentences of `text` in `lang`. Lines are kept apart; an indented line (an
/// example command) belongs to both languages; "Ví dụ / Examples:" keeps its side.
fn pick(text: &str, lang: Lang) -> String {
    let mut lines = Vec::new();
    for line in text.lines() {
        if line.starts_with(' ') || line.trim().is_empty() {
            lines.push(line.to_owned());
            continue;
        }
        if let Some((left, right)) = line.split_once(" / ")
            && is_vietnamese(left) != is_vietnamese(right)
        {
            let (vi, en) = if is_vietnamese(left) { (left, right) } else { (right, left) };
            // "Ví dụ / Examples:": the colon closes both.
            let colon =
                if line.trim_end().ends_with(':') && !vi.trim_end().ends_with(':') { ":" } else { "" };
            let (vi, en) = (format!("{}{colon}", vi.trim()), en.trim().to_owned());
            lines.push(lang.pick(&vi, &en).to_owned());
            continue;
        }
        let kept: Vec<&str> =
            sentences(line).into_iter().filter(|s| is_vietnamese(s) == (lang == Lang::Vi)).collect();
        if !kept.is_empty() {
            lines.push(kept.join(" "));
        }
    }
    lines.join("\n")
}

/// A line cut after each ". " (the period kept).
fn sentences(line: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    for (i, _) in line.match_indices(". ") {
        parts.push(line[start..=i].trim());
        start = i + 2;
    }
    parts.push(line[start..].trim());
    parts.into_iter().filter(|p| !p.is_empty()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_language_keeps_its_own_sentences() {
        let text = "Thư mục gói đánh giá (có assessment.toml). The package folder (holding assessment.toml).";
        assert_eq!(pick(text, Lang::Vi), "Thư mục gói đánh giá (có assessment.toml).");
        assert_eq!(pick(text, Lang::En), "The package folder (holding assessment.toml).");
        let examples = "Ví dụ / Examples:\n  chiso score data/sonla/2024";
        assert_eq!(pick(examples, Lang::Vi), "Ví dụ:\n  chiso score data/sonla/2024");
        assert_eq!(pick(examples, Lang::En), "Examples:\n  chiso score data/sonla/2024");
        let two_lines = "chiso — chấm điểm, xếp hạng.\nchiso — assess, rank.";
        assert_eq!(pick(two_lines, Lang::En), "chiso — assess, rank.");
    }

    #[test]
    fn the_language_is_read_before_parsing() {
        let args = |list: &[&str]| list.iter().map(OsString::from).collect::<Vec<_>>();
        assert_eq!(requested(&args(&["chiso", "--lang", "en", "--help"])), Lang::En);
        assert_eq!(requested(&args(&["chiso", "score", "--lang=en"])), Lang::En);
        assert_eq!(requested(&args(&["chiso", "--lang", "xx"])), Lang::Vi);
    }
}
