
from govcrawl.archive.warc import Exchange, WarcWriterPool, read_record
from helpers import assert_warcs_pass_warcio_check


def exchange(url="http://127.0.0.1/report.htm", body="<html>年度报告</html>".encode(), status=200):
    return Exchange(url=url, status=status, body=body,
                    response_headers=[("Content-Type", "text/html; charset=utf-8")],
                    request_headers=[("User-Agent", "govcrawl-test")])


def test_response_is_stored_byte_for_byte_and_readable_at_its_offset(tmp_path):
    pool = WarcWriterPool(tmp_path, "run1")
    body = "<html><meta charset=gbk>报告</html>".encode("gbk")
    row = pool.write(exchange(body=body))
    pool.close()
    headers, payload, rec_type = read_record(tmp_path / row["warc_file"], row["warc_offset"])
    assert payload == body
    assert rec_type == "response"
    assert headers.get_statuscode() == "200"
    assert row["payload_sha256"] == exchange(body=body).payload_sha256
    assert row["mime"] == "text/html"


def test_same_payload_again_becomes_a_revisit_record(tmp_path):
    pool = WarcWriterPool(tmp_path, "run1")
    first = pool.write(exchange())
    second = pool.write(exchange(), previous=lambda sha: first if sha == first["payload_sha256"] else None)
    pool.close()
    assert first["record_type"] == "response"
    assert second["record_type"] == "revisit"
    _, _, rec_type = read_record(tmp_path / second["warc_file"], second["warc_offset"])
    assert rec_type == "revisit"


def test_error_responses_are_archived_too_and_never_revisits(tmp_path):
    pool = WarcWriterPool(tmp_path, "run1")
    row = pool.write(exchange(status=500, body=b"oops"), previous=lambda sha: {"url": "x", "fetched_at": "2020-01-01T00:00:00+00:00"})
    assert row["record_type"] == "response" and row["status"] == 500


def test_files_rotate_by_size_and_pass_warcio_check(tmp_path):
    pool = WarcWriterPool(tmp_path, "run1", max_bytes=1)
    rows = [pool.write(exchange(url=f"http://127.0.0.1/{i}.htm")) for i in range(3)]
    pool.close()
    assert len({r["warc_file"] for r in rows}) == 3
    assert_warcs_pass_warcio_check(tmp_path)


def test_a_half_written_last_record_is_cut_off_and_the_rest_stays_readable(tmp_path):
    from govcrawl.archive.warc import truncate_incomplete

    pool = WarcWriterPool(tmp_path, "run1")
    rows = [pool.write(exchange(url=f"http://127.0.0.1/{i}.htm", body=bytes(range(256)) * 50)) for i in range(3)]
    pool.close()
    path = tmp_path / rows[0]["warc_file"]
    intact = path.stat().st_size
    with open(path, "ab") as f:  # a crash in the middle of writing the next record
        f.write(path.read_bytes()[rows[1]["warc_offset"]:rows[1]["warc_offset"] + 300])
    assert truncate_incomplete(path) == 300
    assert path.stat().st_size == intact
    for row in rows:
        assert read_record(path, row["warc_offset"])[1] == bytes(range(256)) * 50
    assert truncate_incomplete(path) == 0
