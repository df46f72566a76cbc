//! `chiso user add|passwd|list`: accounts from the command line (the first admin
//! of a new deployment, a forgotten password).

use crate::cli::{DatabaseArgs, UserAction};
use crate::serve_cmd::open_store;
use anyhow::{Context, bail};
use chiso_core::Lang;
use chiso_store::{Actor, NewUser, Role};
use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;

const MIN_PASSWORD_CHARS: usize = 8;

/// The password from CHISO_USER_PASSWORD, or one line of standard input.
fn read_password(lang: Lang) -> anyhow::Result<String> {
    let password = match std::env::var("CHISO_USER_PASSWORD") {
        Ok(password) if !password.is_empty() => password,
        _ => {
            if std::io::stdin().is_terminal() {
                eprint!("{} ", lang.pick("Mật khẩu:", "Password:"));
            }
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line).context("reading the password")?;
            line.trim_end_matches(['\r', '\n']).to_owned()
        }
    };
    if password.chars().count() < MIN_PASSWORD_CHARS {
        bail!("{}", lang.pick("mật khẩu cần ít nhất 8 ký tự", "the password needs 8 characters or more"));
    }
    Ok(password)
}

async fn hash(password: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || chiso_web::hash_password(&password))
        .await?
        .map_err(|e| anyhow::anyhow!("hashing the password: {e}"))
}

pub fn run(action: UserAction, database: &DatabaseArgs, lang: Lang) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        let store = open_store(database).await?;
        match action {
            UserAction::Add { username, role, unit, name } => {
                let role: Role = role.parse().map_err(anyhow::Error::msg)?;
                if role == Role::Reporter && unit.is_none() {
                    bail!(
                        "{}",
                        lang.pick("báo cáo viên cần --unit MÃ_ĐƠN_VỊ", "a reporter needs --unit CODE")
                    );
                }
                let password_hash = hash(read_password(lang)?).await?;
                let display_name = name.unwrap_or_else(|| username.clone());
                let user = NewUser {
                    username: username.clone(),
                    display_name,
                    password_hash,
                    role,
                    unit_code: unit,
                };
                store.create_user(&user, Actor::System).await?;
                eprintln!("{} {username} ({})", lang.pick("Đã thêm người dùng", "Added user"), role.code());
            }
            UserAction::Passwd { username } => {
                let user = store.user_by_username(&username).await?.with_context(|| {
                    format!("{} {username:?}", lang.pick("không có người dùng", "there is no user"))
                })?;
                let password_hash = hash(read_password(lang)?).await?;
                store.set_password_hash(user.id, &password_hash, None, Actor::System).await?;
                eprintln!("{} {username}", lang.pick("Đã đặt mật khẩu mới cho", "New password set for"));
            }
            UserAction::List => {
                println!(
                    "{:<4} {:<20} {:<11} {:<10} {:<8} {}",
                    "id",
                    lang.pick("tên", "username"),
                    lang.pick("vai trò", "role"),
                    lang.pick("đơn vị", "unit"),
                    lang.pick("khoá", "disabled"),
                    lang.pick("họ tên", "name")
                );
                for user in store.users().await? {
                    println!(
                        "{:<4} {:<20} {:<11} {:<10} {:<8} {}",
                        user.id,
                        user.username,
                        user.role.code(),
                        user.unit_code.as_deref().unwrap_or("-"),
                        if user.disabled { lang.pick("có", "yes") } else { "" },
                        user.display_name
                    );
                }
            }
        }
        store.close().await;
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}
