//! Files only the process's owner reads (issue 28, finding 6): folders 0700, files 0600, however
//! the umask is set. The embedded databases, the mail relay's letters and the fake SMS phone's
//! texts are written through these.

use std::io::Write;
use std::path::Path;

/// The folder (and its parents) created 0700 where missing.
pub fn folder(dir: &Path) -> std::io::Result<()> {
    if dir.as_os_str().is_empty() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

fn options() -> std::fs::OpenOptions {
    let mut options = std::fs::OpenOptions::new();
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
}

/// The file created 0600 where missing (its folder too), and made 0600 where it was not.
pub fn touch(path: &Path) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        folder(dir)?;
    }
    options().create(true).append(true).open(path)?;
    #[cfg(unix)]
    std::fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
    Ok(())
}

/// A new file `name` in `dir` holding `text`; an existing one is an error.
pub fn write_new(dir: &Path, name: &str, text: &str) -> std::io::Result<()> {
    folder(dir)?;
    options()
        .write(true)
        .create_new(true)
        .open(dir.join(name))?
        .write_all(text.as_bytes())
}

/// `text` added at the end of `path` (created 0600 where missing).
pub fn append(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        folder(dir)?;
    }
    options()
        .create(true)
        .append(true)
        .open(path)?
        .write_all(text.as_bytes())
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &std::path::Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn everything_made_here_is_the_owners_alone() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("data").join("auth.db");
        super::touch(&db).unwrap();
        assert_eq!((mode(&db), mode(db.parent().unwrap())), (0o600, 0o700));
        // A file of an earlier run, readable by everyone, is closed too.
        std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
        super::touch(&db).unwrap();
        assert_eq!(mode(&db), 0o600);
        let mail = dir.path().join("mail");
        super::write_new(&mail, "a.eml", "x").unwrap();
        assert!(
            super::write_new(&mail, "a.eml", "y").is_err(),
            "never overwritten"
        );
        let phone = dir.path().join("sms").join("138.txt");
        super::append(&phone, "one\n").unwrap();
        super::append(&phone, "two\n").unwrap();
        assert_eq!(std::fs::read_to_string(&phone).unwrap(), "one\ntwo\n");
        assert_eq!((mode(&mail.join("a.eml")), mode(&phone)), (0o600, 0o600));
    }
}
