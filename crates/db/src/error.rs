//! Errors of the data layer. Messages are Chinese: they reach users through the web layer.

use serde::Serialize;

/// Per-field validation messages: (field name, Chinese message).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FieldErrors(pub Vec<(String, String)>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push((field.to_string(), message.into()));
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }
    pub fn single(field: &str, message: impl Into<String>) -> Self {
        let mut e = Self::new();
        e.add(field, message);
        e
    }
    /// Ok when empty, otherwise the errors as a `DbError::Invalid`.
    pub fn into_result(self) -> Result<(), DbError> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(DbError::Invalid(self))
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// Absent, or outside the caller's scope: the two are indistinguishable on purpose.
    #[error("记录不存在")]
    NotFound,
    #[error("没有执行此操作的权限")]
    Forbidden,
    #[error("提交的数据有误")]
    Invalid(FieldErrors),
    #[error("{0}")]
    Conflict(String),
    #[error("数据库结构版本不兼容：{0}")]
    Schema(String),
    #[error("数据库错误：{0}")]
    Sqlx(#[from] sqlx::Error),
    #[error("{0}")]
    Other(String),
}

impl DbError {
    pub fn invalid(field: &str, message: impl Into<String>) -> DbError {
        DbError::Invalid(FieldErrors::single(field, message))
    }

    /// Maps a unique-constraint violation to a Chinese conflict message; anything else stays a
    /// database error.
    pub fn unique_or(e: sqlx::Error, message: &str) -> DbError {
        if let sqlx::Error::Database(d) = &e {
            if d.is_unique_violation() {
                return DbError::Conflict(message.to_string());
            }
        }
        DbError::Sqlx(e)
    }
}

pub type Result<T, E = DbError> = std::result::Result<T, E>;
