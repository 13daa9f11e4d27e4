-- Staging: one row per collected place, typed and trimmed, nothing dropped (the data tests judge the rows).
-- Reads the job's raw table, which collect-places fills; materialized as the table stg_places.
select
    place_id,
    nullif(trim(display_name), '') as name,
    nullif(trim(formatted_address), '') as address,
    rating,
    user_rating_count as rating_count,
    price_level,
    case price_level
        when 'PRICE_LEVEL_FREE' then 0
        when 'PRICE_LEVEL_INEXPENSIVE' then 1
        when 'PRICE_LEVEL_MODERATE' then 2
        when 'PRICE_LEVEL_EXPENSIVE' then 3
        when 'PRICE_LEVEL_VERY_EXPENSIVE' then 4
    end as price_tier,
    string_split(coalesce(types, ''), ',') as types,
    city,
    position,
    collected_at
from raw_places
