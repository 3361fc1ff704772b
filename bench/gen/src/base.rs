//! The small stages: the organisation tree with its staff accounts, the checklist library,
//! the campaigns, and the bench account that the benchmark scripts sign in with.

use anjian_db::user::{self, UserInput};
use anjian_db::{Ctx, Db, Q};
use anjian_domain::uscc::check_character;
use anyhow::{bail, Context, Result};
use chrono::{Duration, NaiveDate};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::sink::{fix_sequences, next_id, Rows, Val, Writer};
use crate::vocab::{self, pick};
use crate::world::World;

/// A valid 统一社会信用代码: `prefix` (2 chars: 11 government organ, 91 enterprise) + region
/// 350100 + a 9-character organisation code + the check character of GB 32100-2015.
fn uscc(prefix: &str, n: i64) -> String {
    let first17 = format!("{prefix}350100MA{:07}", n % 10_000_000);
    let check = check_character(&first17).expect("digits and MA are in the code alphabet");
    format!("{first17}{check}")
}

const ORG_COLS: &[&str] = &[
    "id",
    "parent_id",
    "kind",
    "name",
    "uscc",
    "address",
    "principal",
    "contact_person",
    "contact_phone",
    "sort_order",
    "active",
    "path",
    "created_at",
    "updated_at",
];

const USER_COLS: &[&str] = &[
    "id",
    "username",
    "name",
    "org_id",
    "role",
    "phone",
    "password_hash",
    "must_change_password",
    "failed_logins",
    "disabled",
    "created_at",
    "updated_at",
];

/// The tree: one bureau → `orgs * 3 %` units (60 of 2,000) → the rest as sites, spread unevenly
/// over the units. Plus accounts: 3 supervisors, 2 leaders, 6 inspectors at the bureau; a head
/// and two officers per unit. Staff accounts share one hash of a random password nobody knows:
/// they exist to be referenced (rectified_by, verified_by), not to sign in.
pub async fn orgs(db: &Db, total: usize, seed: u64, today: NaiveDate) -> Result<()> {
    let (existing,): (i64,) = db.fetch_one(&Q::new("SELECT COUNT(*) FROM org")).await?;
    if existing > 0 {
        bail!("the database already has {existing} organisations: the orgs stage needs an empty one (omit it with --stages)");
    }
    if total < 2 {
        bail!("--orgs must be at least 2 (a bureau and a unit)");
    }
    let mut rng = StdRng::seed_from_u64(seed ^ 0x01);
    let world_now = crate::world::now_for(today);
    let created = |rng: &mut StdRng| world_now - Duration::days(rng.gen_range(1400..1500));
    let units = ((total as f64 * 0.03).round() as usize).clamp(1, total - 1);
    let sites = total - 1 - units;

    let mut org = Rows::new("org", ORG_COLS);
    let mut id = next_id(db, "org").await?;
    let bureau_id = id;
    let bureau_path = format!("/{bureau_id}/");
    let t = created(&mut rng);
    org.push(vec![
        id.into(),
        Val::Null,
        "bureau".into(),
        "某市粮食和物资储备局".into(),
        uscc("11", 1).into(),
        "某市行政中心3号楼".into(),
        "刘局长".into(),
        "陈监管".into(),
        "0591-87000000".into(),
        0i64.into(),
        true.into(),
        bureau_path.clone().into(),
        t.into(),
        t.into(),
    ]);
    id += 1;
    let mut unit_ids = Vec::with_capacity(units);
    for u in 0..units {
        let district = vocab::DISTRICTS[u % vocab::DISTRICTS.len()];
        let name = format!(
            "{district}{}{}",
            vocab::PLACES[(u / vocab::DISTRICTS.len()) % vocab::PLACES.len()],
            vocab::UNIT_KINDS[u % vocab::UNIT_KINDS.len()]
        );
        let t = created(&mut rng);
        let principal = vocab::person(&mut rng);
        org.push(vec![
            id.into(),
            bureau_id.into(),
            "unit".into(),
            name.into(),
            uscc("91", id).into(),
            format!(
                "{district}区{}路{}号",
                pick(&mut rng, vocab::PLACES),
                rng.gen_range(1..300)
            )
            .into(),
            principal.clone().into(),
            principal.into(),
            format!("0591-87{:06}", id).into(),
            (u as i64).into(),
            true.into(),
            format!("{bureau_path}{id}/").into(),
            t.into(),
            t.into(),
        ]);
        unit_ids.push(id);
        id += 1;
    }
    // Uneven spread: each unit's share of the sites is drawn once from the seed.
    let shares: Vec<f64> = (0..units).map(|_| 0.3 + rng.gen::<f64>() * 1.4).collect();
    let sum: f64 = shares.iter().sum();
    let mut placed = 0usize;
    for (u, share) in shares.iter().enumerate() {
        let n = if u + 1 == units {
            sites - placed
        } else {
            ((sites as f64 * share / sum).round() as usize).min(sites - placed)
        };
        let unit = unit_ids[u];
        for k in 0..n {
            let place = pick(&mut rng, vocab::PLACES);
            let t = created(&mut rng);
            let principal = vocab::person(&mut rng);
            org.push(vec![
                id.into(),
                unit.into(),
                "site".into(),
                // The id keeps names unique, so imports can name the site.
                format!("{place}第{id}{}", pick(&mut rng, vocab::SITE_KINDS)).into(),
                uscc("91", id).into(),
                format!("{place}镇储备路{}号", rng.gen_range(1..500)).into(),
                principal.clone().into(),
                principal.into(),
                format!("0591-87{:06}", id).into(),
                (k as i64).into(),
                true.into(),
                format!("{bureau_path}{unit}/{id}/").into(),
                t.into(),
                t.into(),
            ]);
            id += 1;
        }
        placed += n;
    }

    let hash = user::hash_password(&user::generate_password()).await?;
    let mut users = Rows::new("app_user", USER_COLS);
    let mut uid = next_id(db, "app_user").await?;
    let mut add = |rng: &mut StdRng, username: String, org_id: i64, role: &'static str| {
        let t = created(rng);
        users.push(vec![
            uid.into(),
            username.into(),
            vocab::person(rng).into(),
            org_id.into(),
            role.into(),
            format!("138{:08}", uid).into(),
            hash.clone().into(),
            true.into(),
            0i64.into(),
            false.into(),
            t.into(),
            t.into(),
        ]);
        uid += 1;
    };
    for i in 1..=3 {
        add(
            &mut rng,
            format!("supervisor{i:02}"),
            bureau_id,
            "bureau_supervisor",
        );
    }
    for i in 1..=2 {
        add(
            &mut rng,
            format!("leader{i:02}"),
            bureau_id,
            "bureau_leader",
        );
    }
    for i in 1..=6 {
        add(&mut rng, format!("inspector{i:02}"), bureau_id, "inspector");
    }
    for unit in &unit_ids {
        add(&mut rng, format!("u{unit}_head"), *unit, "unit_head");
        add(&mut rng, format!("u{unit}_officer1"), *unit, "unit_officer");
        add(&mut rng, format!("u{unit}_officer2"), *unit, "unit_officer");
    }

    let mut w = Writer::begin(db).await?;
    w.write(&vec![org, users]).await?;
    w.commit().await?;
    fix_sequences(db, &["org", "app_user"]).await?;
    println!(
        "orgs: 1 bureau, {units} units, {sites} sites; {} staff accounts",
        uid - 1
    );
    Ok(())
}

/// The checklist library: when the database has none, a few checklists marked （压测）; an
/// existing library is used as it is.
pub async fn checklists(db: &Db, now: chrono::DateTime<chrono::Utc>) -> Result<()> {
    let (existing,): (i64,) = db
        .fetch_one(&Q::new("SELECT COUNT(*) FROM checklist"))
        .await?;
    if existing > 0 {
        println!("checklists: using the {existing} already in the database");
        return Ok(());
    }
    let mut lists = Rows::new(
        "checklist",
        &[
            "id",
            "org_id",
            "name",
            "category",
            "description",
            "source",
            "builtin",
            "active",
            "row_version",
            "created_at",
            "updated_at",
        ],
    );
    let mut items = Rows::new(
        "checklist_item",
        &[
            "id",
            "checklist_id",
            "position",
            "content",
            "category",
            "basis",
            "major_criterion",
            "active",
        ],
    );
    let mut id = next_id(db, "checklist").await?;
    let mut item_id = next_id(db, "checklist_item").await?;
    for (name, category, contents) in vocab::CHECKLISTS {
        lists.push(vec![
            id.into(),
            Val::Null,
            (*name).into(),
            (*category).into(),
            "压测数据生成器创建".into(),
            "《粮油仓储企业安全生产标准化》".into(),
            true.into(),
            true.into(),
            1i64.into(),
            now.into(),
            now.into(),
        ]);
        for (pos, content) in contents.iter().enumerate() {
            items.push(vec![
                item_id.into(),
                id.into(),
                (pos as i64 + 1).into(),
                (*content).into(),
                (*category).into(),
                "《中华人民共和国安全生产法》".into(),
                (content.contains("有限空间") || content.contains("熏蒸")).into(),
                true.into(),
            ]);
            item_id += 1;
        }
        id += 1;
    }
    let mut w = Writer::begin(db).await?;
    w.write(&vec![lists, items]).await?;
    w.commit().await?;
    fix_sequences(db, &["checklist", "checklist_item"]).await?;
    println!(
        "checklists: {} with {} items",
        vocab::CHECKLISTS.len(),
        item_id - 1
    );
    Ok(())
}

/// Campaigns and key periods of 2023–2026, owned by the bureau, covering all units.
pub async fn campaigns(db: &Db, bureau_id: i64, now: chrono::DateTime<chrono::Utc>) -> Result<()> {
    let (existing,): (i64,) = db
        .fetch_one(&Q::new("SELECT COUNT(*) FROM campaign"))
        .await?;
    if existing > 0 {
        println!("campaigns: using the {existing} already in the database");
        return Ok(());
    }
    let mut rows = Rows::new(
        "campaign",
        &[
            "id",
            "org_id",
            "kind",
            "name",
            "start_date",
            "end_date",
            "description",
            "all_units",
            "active",
            "row_version",
            "created_at",
            "updated_at",
        ],
    );
    let mut id = next_id(db, "campaign").await?;
    for (name, kind, start, end) in vocab::CAMPAIGNS {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("vocabulary date");
        rows.push(vec![
            id.into(),
            bureau_id.into(),
            (*kind).into(),
            (*name).into(),
            d(start).into(),
            d(end).into(),
            "压测数据生成器创建".into(),
            true.into(),
            true.into(),
            1i64.into(),
            now.into(),
            now.into(),
        ]);
        id += 1;
    }
    let mut w = Writer::begin(db).await?;
    w.write(&vec![rows]).await?;
    w.commit().await?;
    fix_sequences(db, &["campaign"]).await?;
    println!("campaigns: {}", vocab::CAMPAIGNS.len());
    Ok(())
}

/// The account the benchmark scripts sign in with: a bureau supervisor at the root (sees the
/// whole tree, may register and import hazards). Created through the application's own
/// `user::create` (so one audit row), or given the password again when it exists.
pub async fn bench_account(db: &Db, world: &World, username: &str, password: &str) -> Result<()> {
    let ctx = Ctx::system("anjian-gen");
    let existing: Option<(i64,)> = db
        .fetch_optional(&Q::new("SELECT id FROM app_user WHERE username = $1").bind(username))
        .await?;
    match existing {
        Some((id,)) => user::set_password_for_demo(db, &ctx, id, password)
            .await
            .context("resetting the bench account's password")?,
        None => {
            user::create(
                db,
                &ctx,
                &UserInput {
                    username: username.into(),
                    name: "压测账号".into(),
                    org_id: world.bureau_id,
                    role: "bureau_supervisor".into(),
                    phone: String::new(),
                },
                Some(password),
                false,
            )
            .await
            .context("creating the bench account")?;
        }
    }
    println!("bench account: 账号 {username} 密码 {password}");
    Ok(())
}

/// Unit heads `<username>_u1` … `<username>_u<n>`, one per unit in id order, with the bench
/// password: the benches that act as a unit (registering and rectifying hazards, the soak) sign
/// in with them. Created through `user::create` like the bench account (audited), or given the
/// password again when they exist.
pub async fn unit_accounts(
    db: &Db,
    world: &World,
    username: &str,
    password: &str,
    n: usize,
) -> Result<()> {
    let ctx = Ctx::system("anjian-gen");
    let units: Vec<i64> = world
        .orgs
        .iter()
        .filter(|o| o.kind == "unit")
        .map(|o| o.id)
        .take(n)
        .collect();
    for (i, org_id) in units.iter().enumerate() {
        let name = format!("{username}_u{}", i + 1);
        let existing: Option<(i64,)> = db
            .fetch_optional(&Q::new("SELECT id FROM app_user WHERE username = $1").bind(&name))
            .await?;
        match existing {
            Some((id,)) => user::set_password_for_demo(db, &ctx, id, password)
                .await
                .with_context(|| format!("resetting the password of {name}"))?,
            None => {
                user::create(
                    db,
                    &ctx,
                    &UserInput {
                        username: name.clone(),
                        name: format!("压测单位负责人{}", i + 1),
                        org_id: *org_id,
                        role: "unit_head".into(),
                        phone: String::new(),
                    },
                    Some(password),
                    false,
                )
                .await
                .with_context(|| format!("creating {name}"))?;
            }
        }
    }
    if !units.is_empty() {
        println!(
            "unit accounts: {username}_u1…{username}_u{} (unit heads), same password",
            units.len()
        );
    }
    Ok(())
}
