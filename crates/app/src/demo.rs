//! Demo data: a bureau, its units and sites, and one account per role with a random password
//! printed at start. Nothing here is a default password: every run draws new ones.

use anjian_db::org::{self, OrgInput};
use anjian_db::user::{self, UserInput};
use anjian_db::{Ctx, Db, DbError};
use anjian_domain::uscc::check_character;

pub struct DemoAccount {
    pub username: &'static str,
    pub name: &'static str,
    pub role: &'static str,
    /// Index into the created organisations: 0 is the bureau.
    pub org: usize,
}

pub const ACCOUNTS: &[DemoAccount] = &[
    DemoAccount {
        username: "admin",
        name: "王建国",
        role: "system_admin",
        org: 0,
    },
    DemoAccount {
        username: "security",
        name: "李安全",
        role: "security_admin",
        org: 0,
    },
    DemoAccount {
        username: "auditor",
        name: "赵审计",
        role: "audit_admin",
        org: 0,
    },
    DemoAccount {
        username: "supervisor",
        name: "陈监管",
        role: "bureau_supervisor",
        org: 0,
    },
    DemoAccount {
        username: "leader",
        name: "刘局长",
        role: "bureau_leader",
        org: 0,
    },
    DemoAccount {
        username: "unithead1",
        name: "孙主任",
        role: "unit_head",
        org: 1,
    },
    DemoAccount {
        username: "officer1",
        name: "周安全员",
        role: "unit_officer",
        org: 1,
    },
    DemoAccount {
        username: "inspector1",
        name: "吴检查",
        role: "inspector",
        org: 1,
    },
];

/// (name, principal, address) of the demo units; each gets a valid 统一社会信用代码.
const UNITS: &[(&str, &str, &str)] = &[
    ("市储备粮管理有限公司", "孙志强", "某市城东区粮仓路1号"),
    ("市粮食收储中心", "郑国平", "某市城南区储备路8号"),
    ("市救灾物资储备中心", "冯立新", "某市高新区应急大道66号"),
    ("市军粮供应站", "何海涛", "某市城西区军粮路12号"),
    ("市粮油质量监测站", "许文华", "某市城北区检测路3号"),
];

const SITES: &[(usize, &str)] = &[
    (0, "城东直属库"),
    (0, "北郊储备库"),
    (0, "港区中转库"),
    (1, "南山收储库点"),
    (1, "东湖收储库点"),
    (2, "市级救灾物资仓库"),
    (3, "军粮配送仓"),
];

fn demo_uscc(n: usize) -> String {
    // 91 (enterprise) + region 350100 + a 9-character organisation code + check character.
    let first17 = format!("91350100MA{:07}", 3_100_000 + n * 7919 % 1_000_000);
    let check = check_character(&first17).unwrap_or('0');
    format!("{first17}{check}")
}

/// Loads the demo organisations and accounts into an empty database. Returns the accounts with
/// their fresh passwords.
pub async fn load(db: &Db) -> Result<Vec<(&'static DemoAccount, String)>, DbError> {
    let ctx = Ctx::system("demo");
    let bureau = org::create(
        db,
        &ctx,
        &OrgInput {
            kind: "bureau".into(),
            name: "某市粮食和物资储备局".into(),
            address: "某市行政中心3号楼".into(),
            principal: "刘局长".into(),
            contact_person: "陈监管".into(),
            contact_phone: "0591-87000000".into(),
            ..Default::default()
        },
    )
    .await?;
    let mut orgs = vec![bureau.clone()];
    for (i, (name, principal, address)) in UNITS.iter().enumerate() {
        let u = org::create(
            db,
            &ctx,
            &OrgInput {
                kind: "unit".into(),
                parent_id: Some(bureau.id),
                name: name.to_string(),
                uscc: Some(demo_uscc(i)),
                address: address.to_string(),
                principal: principal.to_string(),
                contact_person: principal.to_string(),
                contact_phone: format!("0591-8700{:04}", 1001 + i),
                sort_order: i as i64,
            },
        )
        .await?;
        orgs.push(u);
    }
    for (i, (unit, name)) in SITES.iter().enumerate() {
        let parent = orgs[unit + 1].id;
        org::create(
            db,
            &ctx,
            &OrgInput {
                kind: "site".into(),
                parent_id: Some(parent),
                name: name.to_string(),
                sort_order: i as i64,
                ..Default::default()
            },
        )
        .await?;
    }
    // The campaigns and key periods of the seed's year and of this year.
    let this_year = chrono::Datelike::year(&anjian_domain::time::today(anjian_db::now()));
    for year in [2023, this_year] {
        anjian_db::campaign::seed_defaults(db, &ctx, bureau.id, year).await?;
    }
    let mut out = Vec::new();
    for a in ACCOUNTS {
        let password = user::generate_password();
        user::create(
            db,
            &ctx,
            &UserInput {
                username: a.username.into(),
                name: a.name.into(),
                org_id: orgs[a.org].id,
                role: a.role.into(),
                phone: String::new(),
            },
            Some(&password),
            false,
        )
        .await?;
        out.push((a, password));
    }
    Ok(out)
}

/// On a database that already holds the demo, draws new passwords for the demo accounts so that
/// `serve --demo` can always say how to log in (the old ones are only stored hashed).
pub async fn refresh_passwords(db: &Db) -> Result<Vec<(&'static DemoAccount, String)>, DbError> {
    let ctx = Ctx::system("demo");
    let mut out = Vec::new();
    for a in ACCOUNTS {
        let Ok(u) = user::find(db, &ctx, a.username).await else {
            continue;
        };
        let password = user::generate_password();
        user::set_password_for_demo(db, &ctx, u.id, &password).await?;
        out.push((a, password));
    }
    Ok(out)
}

/// Loads the demo's records after `load`: the first half of 2023 as the seed reports it, then
/// this half-year's live records of each module.
pub async fn load_records(state: &anjian_web::AppState) -> Result<(), DbError> {
    let named = |part: &'static str| {
        move |e: DbError| match e {
            // A refused demo record names its fields, so whoever changed a rule sees which.
            DbError::Invalid(f) => DbError::Other(format!(
                "演示数据（{part}）不符合校验规则：{}",
                f.0.iter()
                    .map(|(field, message)| format!("{field}：{message}"))
                    .collect::<Vec<_>>()
                    .join("；")
            )),
            e => e,
        }
    };
    crate::demo_2023::load(state)
        .await
        .map_err(named("2023年上半年"))?;
    crate::demo_records::load(state)
        .await
        .map_err(named("隐患"))?;
    crate::demo_risks::load(state)
        .await
        .map_err(named("风险"))?;
    crate::demo_ledgers::load(state)
        .await
        .map_err(named("台账"))?;
    crate::demo_duty::load(state).await.map_err(named("值班"))?;
    Ok(())
}
