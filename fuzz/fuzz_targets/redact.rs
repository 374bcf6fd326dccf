//! The redactor: a random secret put after `password=`, in a URL's userinfo, in an
//! `Authorization` header, after `--token`, in an env dump, after `curl -u`, `mysql -p`,
//! `sshpass -p`, a spaced or prose password word, a key containing a secret word, an encoded
//! separator, and in a scheme-less `user:pass@host`, inside arbitrary surrounding text, never
//! survives [`kubetriage::redact::line`].
#![no_main]

use libfuzzer_sys::fuzz_target;

/// Characters a secret is drawn from (what tokens and passwords are made of).
const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.+~";

fuzz_target!(|data: &[u8]| {
    let Some((&n, rest)) = data.split_first() else {
        return;
    };
    let n = 12 + usize::from(n % 29);
    if rest.len() < n {
        return;
    }
    let (raw, ctx) = rest.split_at(n);
    let secret: String = raw
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect();
    let ctx = String::from_utf8_lossy(ctx);
    if ctx.contains(&secret) {
        return;
    }
    let (before, after) = ctx.split_at(
        ctx.char_indices()
            .nth(ctx.chars().count() / 2)
            .map_or(0, |(i, _)| i),
    );
    for shape in [
        format!("password={secret}"),
        format!("https://user:{secret}@host.example/x"),
        format!("Authorization: Bearer {secret}"),
        format!("Proxy-Authorization: token {secret}"),
        format!("--token {secret}"),
        format!(r#"{{"name":"DB_PASSWORD","value":"{secret}"}}"#),
        format!("curl -u admin:{secret} https://x"),
        format!("mysql -u root -p{secret} db"),
        format!("sshpass -p {secret} ssh x"),
        format!("the password is {secret}"),
        format!("Password for user admin: {secret}"),
        format!("SECRET_KEY_BASE={secret}"),
        format!("DB_PASSWORD_FILE={secret}"),
        format!("PASSWORD%3D{secret}"),
        format!("password&#61;{secret}"),
        format!("deploy:{secret}@10.0.0.1"),
    ] {
        let text = format!("{before} {shape}\n{after}");
        let out = kubetriage::redact::line(&text);
        assert!(!out.contains(&secret), "{text:?} -> {out:?}");
    }
});
