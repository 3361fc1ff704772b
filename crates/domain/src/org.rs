//! The organisation tree: bureau (局) → unit (局属单位/企事业单位) → site (库点/储备库/部门).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    Bureau,
    Unit,
    Site,
}

impl OrgKind {
    pub const ALL: [OrgKind; 3] = [OrgKind::Bureau, OrgKind::Unit, OrgKind::Site];

    pub fn code(self) -> &'static str {
        match self {
            OrgKind::Bureau => "bureau",
            OrgKind::Unit => "unit",
            OrgKind::Site => "site",
        }
    }

    pub fn from_code(code: &str) -> Option<OrgKind> {
        OrgKind::ALL.into_iter().find(|k| k.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            OrgKind::Bureau => "局",
            OrgKind::Unit => "单位",
            OrgKind::Site => "库点",
        }
    }

    /// Which kinds may hang directly below this one. The tree is strictly bureau → unit → site,
    /// except that a bureau may also hold its own departments as sites (局机关科室).
    pub fn allowed_children(self) -> &'static [OrgKind] {
        match self {
            OrgKind::Bureau => &[OrgKind::Unit, OrgKind::Site],
            OrgKind::Unit => &[OrgKind::Site],
            OrgKind::Site => &[],
        }
    }

    /// 统一社会信用代码 is required for units: they are legal persons (GB 32100-2015 §4).
    pub fn requires_uscc(self) -> bool {
        matches!(self, OrgKind::Unit)
    }
}

/// Why a node may not go where it was asked to go.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlacementError {
    #[error("局只能作为根节点，不能设置上级组织")]
    BureauHasParent,
    #[error("{child}不能设置在{parent}之下")]
    KindNotAllowed {
        child: &'static str,
        parent: &'static str,
    },
    #[error("{0}必须选择上级组织")]
    ParentRequired(&'static str),
    #[error("不能将组织移动到其自身或其下级组织之下")]
    Cycle,
    #[error("上级组织已停用")]
    ParentInactive,
}

/// Checks that a node of `kind` may sit below a parent of `parent` kind (None = root).
pub fn check_placement(kind: OrgKind, parent: Option<OrgKind>) -> Result<(), PlacementError> {
    match (kind, parent) {
        (OrgKind::Bureau, None) => Ok(()),
        (OrgKind::Bureau, Some(_)) => Err(PlacementError::BureauHasParent),
        (k, None) => Err(PlacementError::ParentRequired(k.label())),
        (k, Some(p)) if p.allowed_children().contains(&k) => Ok(()),
        (k, Some(p)) => Err(PlacementError::KindNotAllowed {
            child: k.label(),
            parent: p.label(),
        }),
    }
}

/// Materialised path of a node: "/1/5/12/". A subtree is every node whose path starts with the
/// root's path, which both SQLite and PostgreSQL answer with an indexed `LIKE 'prefix%'`.
pub fn child_path(parent_path: Option<&str>, id: i64) -> String {
    format!("{}{}/", parent_path.unwrap_or("/"), id)
}

/// True when `path` is `ancestor_path` itself or lies below it.
pub fn path_within(path: &str, ancestor_path: &str) -> bool {
    path.starts_with(ancestor_path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placement_rules() {
        assert!(check_placement(OrgKind::Bureau, None).is_ok());
        assert!(check_placement(OrgKind::Unit, Some(OrgKind::Bureau)).is_ok());
        assert!(check_placement(OrgKind::Site, Some(OrgKind::Unit)).is_ok());
        assert!(check_placement(OrgKind::Site, Some(OrgKind::Bureau)).is_ok());
        assert_eq!(
            check_placement(OrgKind::Unit, Some(OrgKind::Site)),
            Err(PlacementError::KindNotAllowed {
                child: "单位",
                parent: "库点"
            })
        );
        assert_eq!(
            check_placement(OrgKind::Unit, Some(OrgKind::Unit)),
            Err(PlacementError::KindNotAllowed {
                child: "单位",
                parent: "单位"
            })
        );
        assert_eq!(
            check_placement(OrgKind::Site, None),
            Err(PlacementError::ParentRequired("库点"))
        );
        assert_eq!(
            check_placement(OrgKind::Bureau, Some(OrgKind::Bureau)),
            Err(PlacementError::BureauHasParent)
        );
    }

    #[test]
    fn paths() {
        assert_eq!(child_path(None, 1), "/1/");
        assert_eq!(child_path(Some("/1/"), 12), "/1/12/");
        assert!(path_within("/1/12/", "/1/"));
        assert!(path_within("/1/", "/1/"));
        // "/1/" must not be mistaken for the ancestor of "/12/"
        assert!(!path_within("/12/", "/1/"));
    }

    #[test]
    fn kind_codes_round_trip() {
        for k in OrgKind::ALL {
            assert_eq!(OrgKind::from_code(k.code()), Some(k));
        }
        assert_eq!(OrgKind::from_code("department"), None);
    }
}
