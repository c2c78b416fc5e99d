// test/global-setup.js: one DynamoDB Local (one JVM) for the whole jest run
const { startDynamoDBLocal } = require('baton-lease/testing');

module.exports = async () => {
  const db = await startDynamoDBLocal();
  globalThis.dynamodbLocal = db; // the teardown runs in this same process
  process.env.DYNAMODB_ENDPOINT = db.endpoint; // the test workers inherit the environment
};
