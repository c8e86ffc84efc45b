/** Redis URLs: the password reaches the driver and nothing else; a bad URL is refused without showing it. */
import { redactRedisUrl, redisOptions } from '../../server/cluster/redis-url';

it('takes user, password, host, port and database from the URL', () => {
  expect(redisOptions('redis://bob:p%40ss@10.0.0.5:6380/2')).toMatchObject({
    host: '10.0.0.5',
    port: 6380,
    db: 2,
    username: 'bob',
    password: 'p@ss',
    maxRetriesPerRequest: null,
  });
  expect(redisOptions('redis://127.0.0.1')).toMatchObject({ host: '127.0.0.1', port: 6379, db: 0 });
  expect(redisOptions('rediss://:pw@host:6379').tls).toEqual({});
});

it('hides the password wherever the URL is printed', () => {
  expect(redactRedisUrl('redis://:s3cret@host:6379')).toBe('redis://:***@host:6379');
  expect(redactRedisUrl('redis://bob:s3cret@host:6379/1')).toBe('redis://bob:***@host:6379/1');
  expect(redactRedisUrl('redis://host:6379')).toBe('redis://host:6379');
});

it('refuses what is not a Redis URL, without the password in the message', () => {
  expect(() => redisOptions('http://:s3cret@host:6379')).toThrow(/expected redis:\/\//);
  expect(() => redisOptions('http://:s3cret@host:6379')).not.toThrow(/s3cret/);
  expect(() => redisOptions('redis://:s3cret@host:6379/x')).toThrow(/bad database number/);
  expect(() => redisOptions('redis://:s3cret@host:6379/x')).not.toThrow(/s3cret/);
});
