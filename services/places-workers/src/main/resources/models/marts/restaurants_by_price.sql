-- Mart: how the run's restaurants spread over price levels, with their average rating.
select
    coalesce(price_level, 'PRICE_LEVEL_UNSPECIFIED') as price_level,
    count(*) as restaurants,
    round(avg(rating), 2) as average_rating
from restaurants
group by 1
order by 1
