-- name: quarantine_summary
-- description: Rows set aside at load, by file and reason, so nothing is lost silently.
SELECT path, reason, count(*) AS rows, min(line) AS first_line
FROM quarantine
GROUP BY ALL
ORDER BY rows DESC, path, reason;
