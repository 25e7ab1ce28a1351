// mongo-init (docker-compose.yml), one-shot and idempotent, run by mongosh --nodb once the
// mongo service is healthy: gives each service a user of its own, named after it, whose
// only role is readWrite on the service's own database. The password is the service's
// secret mongo_<service>_password (deploy/make-secrets.sh also writes it into the
// service's connection string, mongo_<service>_url); an existing user gets the current
// password and roles, so a rotated secret takes effect on the next `docker compose up`.
//
// Env: PACT_SECRETS_DIR (/run/secrets), PACT_MONGO_ADDRESS (mongo:27017).
const fs = require('fs');

const SERVICES = ['registry', 'commitments', 'monitoring'];
const secrets = process.env.PACT_SECRETS_DIR || '/run/secrets';
const address = process.env.PACT_MONGO_ADDRESS || 'mongo:27017';
const secret = (name) => fs.readFileSync(`${secrets}/${name}`, 'utf8').trim();

const admin = new Mongo(
  `mongodb://root:${encodeURIComponent(secret('mongo_root_password'))}@${address}/` +
    '?authSource=admin&replicaSet=rs0&serverSelectionTimeoutMS=30000'
).getDB('admin');

for (const service of SERVICES) {
  const pwd = secret(`mongo_${service}_password`);
  const roles = [{ role: 'readWrite', db: service }];
  if (admin.getUser(service) === null) {
    admin.createUser({ user: service, pwd, roles });
    print(`created user ${service}: readWrite on ${service}`);
  } else {
    admin.updateUser(service, { pwd, roles });
    print(`updated user ${service}: readWrite on ${service}`);
  }
}
