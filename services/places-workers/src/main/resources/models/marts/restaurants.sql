-- Mart: the run's restaurants in the order the source ranked them, the table people query.
select
    place_id,
    name,
    address,
    rating,
    rating_count,
    price_level,
    price_tier,
    city,
    position
from stg_places
where list_contains(types, 'restaurant')
order by position
