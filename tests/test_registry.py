"""The site registry: the shipped data/sites.csv loads, and every validation rule names file, line and id."""
from __future__ import annotations

from pathlib import Path

import pytest

from govcrawl.registry import HEADER, OPTIONAL, RegistryError, Site, attribute, load_sites, select_sites

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "data" / "sites.csv"

HEAD = ",".join(HEADER)
CITY = "cq,重庆市人民政府,province,500000,,https://www.cq.gov.cn/zwgk/,www.cq.gov.cn,trs,0"
DISTRICT = "cq-yubei,重庆市渝北区人民政府,district,500112,cq,http://www.ybq.gov.cn/zwgk_263/zfxxgknb/,ybq.gov.cn,trs,0"


def write(tmp_path: Path, *rows: str, header: str = HEAD) -> Path:
    path = tmp_path / "sites.csv"
    path.write_text("\n".join((header, *rows)) + "\n", encoding="utf-8")
    return path


def error_for(tmp_path: Path, *rows: str, header: str = HEAD) -> RegistryError:
    path = write(tmp_path, *rows, header=header)
    with pytest.raises(RegistryError) as info:
        load_sites(path)
    return info.value


# --- the shipped registry -------------------------------------------------------------------------

def test_shipped_registry_covers_the_country():
    sites = load_sites(SHIPPED)
    assert len(sites) >= 3200
    assert len({s.site_id for s in sites}) == len(sites)
    in_use = [s for s in sites if s.valid_to is None and s.level != "department"]
    assert sum(1 for s in in_use if s.level == "province") >= 31
    assert sum(1 for s in in_use if s.level in ("county", "district")) >= 2800
    assert sum(1 for s in sites if s.crawlable) >= 3200


def test_shipped_registry_has_the_seed_district_and_its_civil_affairs_bureau():
    sites = {s.site_id: s for s in load_sites(SHIPPED)}
    district, bureau = sites["cq-yubei"], sites["cq-yubei-mzj"]
    assert district.division_code == "500112" and district.level == "district"
    assert district.parent_id == "cq" and sites["cq"].division_code == "500000"
    assert bureau.name == "重庆市渝北区民政局"
    assert bureau.level == "department" and bureau.parent_id == "cq-yubei"
    assert bureau.division_code == "500112"
    assert all(bureau.allows(u) for u in bureau.listing_urls)


def test_hand_checked_rows_win_over_generated_ones():
    sites = load_sites(SHIPPED)
    by_code = {}
    for s in sites:
        if s.level != "department":
            by_code.setdefault(s.division_code, []).append(s.site_id)
    assert by_code["500112"] == ["cq-yubei"] and by_code["500000"] == ["cq"]
    hand = {s.site_id: s for s in load_sites(ROOT / "data" / "registry" / "hand.csv")}
    shipped = {s.site_id: s for s in sites}
    for site_id, row in hand.items():
        assert shipped[site_id].listing_urls == row.listing_urls
    # children of a replaced generated row point at the hand row
    assert all(s.parent_id == "cq" for s in sites if s.division_code.startswith("50")
               and s.level != "province" and s.level != "department")


def test_shipped_registry_claims_nothing_checked():
    # Nothing could be fetched offline, so nothing may claim to be verified.
    assert not any(s.verified for s in load_sites(SHIPPED))


def test_shipped_header_is_the_required_columns_then_the_optional_ones():
    assert SHIPPED.read_text(encoding="utf-8").splitlines()[0] == ",".join(HEADER + OPTIONAL)


def test_reports_go_to_the_unit_that_existed_in_their_year():
    sites = load_sites(SHIPPED)
    by_id = {s.site_id: s for s in sites}
    yubei = by_id["cq-yubei"]
    assert (yubei.valid_from, yubei.valid_to) == (1997, 2024)
    assert attribute(sites, yubei, 2024) is yubei
    assert attribute(sites, yubei, 2025).division_code == "500157"
    liangjiang = attribute(sites, yubei, 2025)
    assert liangjiang.name == "重庆市两江新区人民政府" and liangjiang.valid_from == 2025
    # 崇文区 was merged into 东城区 in 2010: its 2008–2009 reports are its own, later ones 东城区's
    chongwen = by_id["cn-110103"]
    assert chongwen.valid_to == 2009 and not chongwen.crawlable
    assert attribute(sites, chongwen, 2009) is chongwen
    assert attribute(sites, chongwen, 2012).division_code == "110101"


def test_a_renamed_unit_keeps_one_row_with_its_whole_span():
    by_code = [s for s in load_sites(SHIPPED) if s.division_code == "130502"]
    assert len(by_code) == 1 and by_code[0].name.endswith("襄都区人民政府")
    assert by_code[0].valid_from == 1983 and by_code[0].valid_to is None


def test_the_registry_is_rebuilt_exactly_from_the_shared_sources(tmp_path):
    from govcrawl.registry import build

    if not (build.SOURCES / "division_codes.csv").exists():
        pytest.skip("../shared/registry is absent")
    rows, unmatched = build.build(build.SOURCES / "division_codes.csv", build.SOURCES / "portals.tsv", build.HAND)
    assert build.render(rows) == SHIPPED.read_text(encoding="utf-8")
    assert len(unmatched) < 10  # names the two lists spell differently, reported by the build


def test_portal_domain_keeps_subdomains_of_the_unit_only():
    from govcrawl.registry.build import portal_domain

    assert portal_domain("https://www.bjdch.gov.cn/") == "bjdch.gov.cn"
    assert portal_domain("https://yc.cq.gov.cn/zwgk/") == "yc.cq.gov.cn"
    assert portal_domain("http://www.gov.cn/") == "www.gov.cn"  # never a whole public suffix


def test_an_error_deep_in_a_national_file_names_its_line_and_site(tmp_path):
    lines = SHIPPED.read_text(encoding="utf-8").splitlines()
    bad = lines[3000].split(",")
    bad[3] = "12345"  # a 5-digit division code
    lines[3000] = ",".join(bad)
    path = tmp_path / "sites.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(RegistryError) as info:
        load_sites(path)
    assert info.value.line == 3001 and info.value.site_id == bad[0]
    assert f"sites.csv:3001: site '{bad[0]}': division_code" in str(info.value)


def test_rows_without_a_site_are_kept_for_attribution_only(tmp_path):
    head = HEAD + ",portal_url,valid_from,valid_to"
    sites = load_sites(write(tmp_path, "cn-110103,北京市崇文区人民政府,district,110103,,,,,0,,1981,2009",
                             "cn-110101,北京市东城区人民政府,district,110101,,,bjdch.gov.cn,,0,https://www.bjdch.gov.cn/,1981,",
                             header=head))
    assert [s.crawlable for s in sites] == [False, True]
    assert sites[1].start_urls == ("https://www.bjdch.gov.cn/",)


def test_bad_years_are_rejected(tmp_path):
    head = HEAD + ",portal_url,valid_from,valid_to"
    err = error_for(tmp_path, CITY + ",,2025,2024", header=head)
    assert "valid_from 2025 is after valid_to 2024" in str(err) and err.line == 2
    err = error_for(tmp_path, CITY + ",,20x5,", header=head)
    assert "valid_from must be a year" in str(err)


def test_a_portal_outside_the_allowed_domains_is_rejected(tmp_path):
    head = HEAD + ",portal_url"
    err = error_for(tmp_path, CITY + ",https://www.evil.cn/", header=head)
    assert "not inside allowed_domains" in str(err)


# --- loading ----------------------------------------------------------------------------------------

def test_rows_become_sites_with_tuples_and_bools(tmp_path):
    sites = load_sites(write(tmp_path, CITY, DISTRICT.replace(
        "http://www.ybq.gov.cn/zwgk_263/zfxxgknb/", "http://www.ybq.gov.cn/a/ https://ybq.gov.cn/b/")))
    city, district = sites
    assert city.parent_id is None and city.verified is False
    assert district.listing_urls == ("http://www.ybq.gov.cn/a/", "https://ybq.gov.cn/b/")
    assert district.allowed_domains == ("ybq.gov.cn",)
    assert isinstance(district, Site) and district.extra == {}


def test_extra_columns_land_in_extra(tmp_path):
    sites = load_sites(write(tmp_path, CITY + ",note here", header=HEAD + ",notes"))
    assert sites[0].extra == {"notes": "note here"}


def test_parent_may_come_after_child(tmp_path):
    assert [s.site_id for s in load_sites(write(tmp_path, DISTRICT, CITY))] == ["cq-yubei", "cq"]


def test_blank_lines_are_skipped(tmp_path):
    assert len(load_sites(write(tmp_path, CITY, "", DISTRICT))) == 2


def test_allows_subdomains_but_not_lookalike_hosts(tmp_path):
    district = load_sites(write(tmp_path, CITY, DISTRICT))[1]
    assert district.allows("http://www.ybq.gov.cn/x.html")
    assert district.allows("http://ybq.gov.cn/")
    assert not district.allows("http://evilybq.gov.cn/")
    assert not district.allows("http://ybq.gov.cn.evil.com/")


# --- each validation rule -----------------------------------------------------------------------------

def test_wrong_header_is_reported_at_line_1(tmp_path):
    err = error_for(tmp_path, CITY, header=HEAD.replace("listing_urls", "listing_url"))
    assert "sites.csv:1:" in str(err) and "header" in str(err)


def test_duplicate_id_names_both_lines(tmp_path):
    err = error_for(tmp_path, CITY, DISTRICT, DISTRICT)
    assert err.line == 4 and err.site_id == "cq-yubei"
    assert "duplicate" in str(err) and "line 3" in str(err) and "'cq-yubei'" in str(err)


@pytest.mark.parametrize("url", [
    "ftp://www.ybq.gov.cn/x/", "www.ybq.gov.cn/x/", "http:///x/", "http://", "/zwgk/",
])
def test_malformed_url_is_rejected(tmp_path, url):
    err = error_for(tmp_path, CITY, DISTRICT.replace("http://www.ybq.gov.cn/zwgk_263/zfxxgknb/", url))
    assert "malformed URL" in str(err) and err.line == 3 and err.site_id == "cq-yubei"


@pytest.mark.parametrize("url", ["http://www.cqna.gov.cn/x/", "http://evilybq.gov.cn/x/"])
def test_url_host_outside_allowed_domains_is_rejected(tmp_path, url):
    err = error_for(tmp_path, CITY, DISTRICT.replace("http://www.ybq.gov.cn/zwgk_263/zfxxgknb/", url))
    assert "not inside allowed_domains" in str(err)
    assert str(err).startswith(f"{tmp_path / 'sites.csv'}:3: site 'cq-yubei':")


@pytest.mark.parametrize("domain", ["http://ybq.gov.cn", "ybq.gov.cn/x", "ybq gov cn!"])
def test_allowed_domain_must_be_a_host_name(tmp_path, domain):
    err = error_for(tmp_path, CITY, DISTRICT.replace(",ybq.gov.cn,", f",{domain},"))
    assert err.site_id == "cq-yubei"


@pytest.mark.parametrize("code", ["50011", "5001120", "000000", "50011x", ""])
def test_malformed_division_code_is_rejected(tmp_path, code):
    err = error_for(tmp_path, CITY, DISTRICT.replace("500112", code))
    assert "division_code" in str(err) and err.line == 3


def test_unknown_level_is_rejected(tmp_path):
    err = error_for(tmp_path, CITY, DISTRICT.replace(",district,", ",prefecture,"))
    assert "unknown level 'prefecture'" in str(err) and err.site_id == "cq-yubei"


def test_unknown_parent_is_rejected(tmp_path):
    err = error_for(tmp_path, DISTRICT)
    assert "unknown parent_id 'cq'" in str(err) and err.line == 2


def test_parent_cycle_is_rejected(tmp_path):
    err = error_for(tmp_path, CITY.replace(",province,500000,,", ",province,500000,cq-yubei,"), DISTRICT)
    assert "loops" in str(err)


@pytest.mark.parametrize("flag", ["yes", "true", "", "2"])
def test_bad_verified_flag_is_rejected(tmp_path, flag):
    err = error_for(tmp_path, CITY[: -1] + flag)
    assert "verified must be 1 or 0" in str(err) and err.site_id == "cq"


@pytest.mark.parametrize("site_id", ["CQ", "cq_yubei", "cq--yubei", "-cq", "渝北"])
def test_site_id_must_be_a_lowercase_slug(tmp_path, site_id):
    err = error_for(tmp_path, CITY.replace("cq,", f"{site_id},", 1))
    assert "slug" in str(err)


def test_wrong_column_count_is_rejected(tmp_path):
    err = error_for(tmp_path, CITY + ",extra")
    assert "columns" in str(err) and err.line == 2


def test_empty_listing_urls_are_rejected(tmp_path):
    err = error_for(tmp_path, CITY.replace("https://www.cq.gov.cn/zwgk/", ""))
    assert "listing_urls is empty" in str(err)


# --- selecting ---------------------------------------------------------------------------------------

def test_select_sites_keeps_the_order_asked(tmp_path):
    sites = load_sites(write(tmp_path, CITY, DISTRICT))
    assert [s.site_id for s in select_sites(sites, ["cq-yubei", "cq", "cq-yubei"])] == ["cq-yubei", "cq"]
    assert select_sites(sites, None) == sites


def test_select_sites_names_unknown_ids(tmp_path):
    sites = load_sites(write(tmp_path, CITY, DISTRICT))
    with pytest.raises(RegistryError, match=r"unknown site id\(s\): cq-nowhere.*known ids: cq, cq-yubei"):
        select_sites(sites, ["cq", "cq-nowhere"])


def in_domains(url, domains):
    return Site("s", "n", "district", "500112", None, (), tuple(domains)).allows(url)


def test_hosts_inside_allowed_domains_and_their_subdomains_are_in_scope():
    assert in_domains("http://www.ybq.gov.cn/zwgk/", ("ybq.gov.cn",))
    assert in_domains("http://127.0.0.11:8080/a.htm", ("127.0.0.11",))
    assert not in_domains("http://evilybq.gov.cn/", ("ybq.gov.cn",))
    assert not in_domains("http://127.0.0.12:8080/a.htm", ("127.0.0.11",))
    assert not in_domains("ftp://ybq.gov.cn/x", ("ybq.gov.cn",))
    assert not in_domains("javascript:void(0)", ("ybq.gov.cn",))


def test_a_reviewed_department_proposal_builds_into_the_registry(tmp_path):
    from govcrawl.registry import build
    from govcrawl.registry.departments import department_name, proposal_rows

    if not (build.SOURCES / "division_codes.csv").exists():
        pytest.skip("../shared/registry is absent")
    sites = load_sites(SHIPPED)
    by_id = {s.site_id: s for s in sites}
    parent = by_id["cn-110101"]
    assert department_name(parent, "区民政局") == "北京市东城区民政局"
    text, n = proposal_rows([
        {"parent_id": "cn-110101", "name": "区民政局", "url": "https://www.bjdch.gov.cn/bm/mzj/", "found_on": "x"},
        {"parent_id": "cn-110101", "name": "区教育委员会", "url": "http://jw.bjdch.gov.cn/", "found_on": "x"},
        {"parent_id": "no-such-site", "name": "区水利局", "url": "http://x.gov.cn/", "found_on": "x"}], sites)
    assert n == 2
    hand = tmp_path / "hand.csv"
    hand.write_text(build.HAND.read_text(encoding="utf-8") + "".join(text.splitlines(True)[1:]), encoding="utf-8")
    rows, _ = build.build(build.SOURCES / "division_codes.csv", build.SOURCES / "portals.tsv", hand)
    out = tmp_path / "sites.csv"
    out.write_text(build.render(rows), encoding="utf-8")
    added = [s for s in load_sites(out) if s.parent_id == "cn-110101" and s.level == "department"]
    assert {s.name for s in added} == {"北京市东城区民政局", "北京市东城区教育委员会"}
    assert all(s.crawlable and not s.verified and s.division_code == "110101" for s in added)
