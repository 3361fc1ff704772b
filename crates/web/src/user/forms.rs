//! The user forms as the browser sends them (all text) and their parsing into data-layer input.

use serde::Deserialize;

use anjian_db::user::{UserInput, UserRow};
use anjian_db::FieldErrors;
use anjian_domain::role::{Permission, Role};

use crate::extract::form_i64;

/// New account: the fields of `UserInput`, as text.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct UserForm {
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub org_id: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub phone: String,
}

/// A required organisation id from a select: empty is "please choose", anything else must be a number.
fn org_field(errs: &mut FieldErrors, v: &str) -> i64 {
    if v.trim().is_empty() {
        errs.add("org_id", "请选择所属组织");
        return 0;
    }
    form_i64(errs, "org_id", "所属组织", v, None).unwrap_or(0)
}

impl UserForm {
    /// The organisation id is checked here, everything else by `UserInput::parse` in the data
    /// layer. The input is returned even when the id is missing or malformed (as 0, which is no
    /// organisation, so the data layer refuses it too): the caller sends it on anyway so that the
    /// form shows every field's error at once, then merges these errors in with `merge_errors`.
    pub fn to_input(&self) -> (UserInput, FieldErrors) {
        let mut errs = FieldErrors::new();
        let org_id = org_field(&mut errs, &self.org_id);
        let input = UserInput {
            username: self.username.clone(),
            name: self.name.clone(),
            org_id,
            role: self.role.clone(),
            phone: self.phone.clone(),
        };
        (input, errs)
    }
}

/// The form's own errors first, then the data layer's for the fields the form did not flag.
pub fn merge_errors(form: FieldErrors, db: FieldErrors) -> FieldErrors {
    let mut out = form;
    for (field, message) in db.0 {
        if out.get(&field).is_none() {
            out.add(&field, message);
        }
    }
    out
}

/// Name and phone, the only fields a profile edit changes.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ProfileForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub row_version: String,
}

impl ProfileForm {
    pub fn from_user(u: &UserRow) -> ProfileForm {
        ProfileForm {
            name: u.name.clone(),
            phone: u.phone.clone(),
            row_version: u.row_version.to_string(),
        }
    }
}

/// Role and organisation, changed together by the security administrator.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AssignForm {
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub org_id: String,
    #[serde(default)]
    pub row_version: String,
}

impl AssignForm {
    pub fn from_user(u: &UserRow) -> AssignForm {
        AssignForm {
            role: u.role.clone(),
            org_id: u.org_id.to_string(),
            row_version: u.row_version.to_string(),
        }
    }

    /// (role, organisation, the version the form was rendered from).
    pub fn parse(&self) -> Result<(Role, i64, i64), FieldErrors> {
        let mut errs = FieldErrors::new();
        let role = Role::from_code(self.role.trim());
        if role.is_none() {
            errs.add("role", "请选择角色");
        }
        let org_id = org_field(&mut errs, &self.org_id);
        let version = form_i64(&mut errs, "row_version", "版本号", &self.row_version, None);
        match (role, version) {
            (Some(r), Some(v)) if errs.is_empty() => Ok((r, org_id, v)),
            _ => Err(errs),
        }
    }
}

/// The roles a caller may give, following `anjian_db::user::create`'s rule: every role for whoever
/// may assign roles (the security administrator), business roles for whoever manages users.
pub fn grantable_roles(role: Role) -> Vec<Role> {
    if role.can(Permission::UserAssignRole) {
        Role::ALL.to_vec()
    } else if role.can(Permission::UserManage) {
        Role::ALL.into_iter().filter(|r| !r.is_admin()).collect()
    } else {
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_admin_grants_business_roles_only() {
        let roles = grantable_roles(Role::SystemAdmin);
        assert!(!roles.is_empty());
        assert!(roles.iter().all(|r| !r.is_admin()));
        assert_eq!(grantable_roles(Role::SecurityAdmin), Role::ALL.to_vec());
        assert!(grantable_roles(Role::AuditAdmin).is_empty());
        assert!(grantable_roles(Role::UnitHead).is_empty());
    }

    #[test]
    fn empty_org_asks_to_choose() {
        let f = UserForm {
            username: "a".into(),
            ..Default::default()
        };
        let (input, e) = f.to_input();
        assert_eq!(input.org_id, 0);
        assert_eq!(e.get("org_id"), Some("请选择所属组织"));
        let db = FieldErrors(vec![
            ("org_id".into(), "所属组织不存在".into()),
            ("name".into(), "姓名不能为空".into()),
        ]);
        let merged = merge_errors(e, db);
        assert_eq!(merged.get("org_id"), Some("请选择所属组织"));
        assert_eq!(merged.get("name"), Some("姓名不能为空"));
        let f = AssignForm {
            role: "root".into(),
            org_id: "x".into(),
            row_version: String::new(),
        };
        let e = f.parse().unwrap_err();
        assert!(e.get("role").is_some());
        assert!(e.get("org_id").is_some());
        assert!(e.get("row_version").is_some(), "no version, no save");
    }
}
