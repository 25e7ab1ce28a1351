// The mongo service's healthcheck (docker-compose.yml), run by mongosh --nodb: logs in as
// the root user, initiates the one-member replica set rs0 on the first start, and exits 0
// once this node is the writable primary (1 before: the check runs again).
//
// Env: PACT_SECRETS_DIR (/run/secrets), PACT_MONGO_ADDRESS (this node, 127.0.0.1:27017),
//      PACT_MONGO_MEMBER (the member's address for the other containers, mongo:27017).
const fs = require('fs');

const secrets = process.env.PACT_SECRETS_DIR || '/run/secrets';
const address = process.env.PACT_MONGO_ADDRESS || '127.0.0.1:27017';
const member = process.env.PACT_MONGO_MEMBER || 'mongo:27017';
const rootPassword = fs.readFileSync(`${secrets}/mongo_root_password`, 'utf8').trim();

const admin = new Mongo(
  `mongodb://root:${encodeURIComponent(rootPassword)}@${address}/` +
    '?authSource=admin&directConnection=true&serverSelectionTimeoutMS=5000'
).getDB('admin');

try {
  admin.adminCommand({ replSetGetStatus: 1 });
} catch (e) {
  if (e.codeName !== 'NotYetInitialized') throw e;
  admin.adminCommand({ replSetInitiate: { _id: 'rs0', members: [{ _id: 0, host: member }] } });
  print(`replica set rs0 initiated with member ${member}`);
}
quit(admin.adminCommand({ hello: 1 }).isWritablePrimary ? 0 : 1);
