-- name: nte_nights
-- description: Night-time economy incidents from partner feeds by night of the week and hour (local time; an event after midnight counts towards the night before), with the months released and the latest month's count. Partner data: released through the disclosure policy month by month (a month's 1–2 incidents withheld and counted in months_withheld, others rounded to a multiple of 5; a window is the sum of its released months).
-- disclose: incidents
-- param: from DATE = '2000-01-01' -- first month
-- param: to DATE = '2100-12-01' -- last month
-- param: category VARCHAR = '' -- one incident category ('' for all)
SELECT dayname(occurred_local - INTERVAL 6 HOUR) AS night,
       CASE WHEN hour(occurred_local) BETWEEN 18 AND 20 THEN '18-21'
            WHEN hour(occurred_local) BETWEEN 21 AND 23 THEN '21-24'
            WHEN hour(occurred_local) BETWEEN 0 AND 2 THEN '00-03'
            WHEN hour(occurred_local) BETWEEN 3 AND 5 THEN '03-06'
            ELSE 'day' END AS hours,
       month,
       count(*) AS incidents
FROM incidents
WHERE month BETWEEN $from AND $to AND ($category = '' OR category = $category)
GROUP BY ALL
ORDER BY isodow(min(occurred_local - INTERVAL 6 HOUR)), hours, month;
