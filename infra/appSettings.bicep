// Applies the Web App's application settings from settings.json (passed in by azure.bicep, which loads it with
// loadJsonContent). A separate module so that every value it needs is a parameter here: runtime values of the
// parent deployment (identity client id, vault URI, connection string) can then be used in lambdas.
//
// NOT COMPILED HERE (no Bicep compiler on the machine this was written on): run `az bicep build --file infra/azure.bicep`.
// Needs Bicep CLI 0.30 or later (lambdas: filter, toObject). Writing 'appsettings' replaces the whole set, so
// every setting the Web App has must be listed in settings.json.

@description('Name of the existing Web App.')
param webAppName string

@description('Entries of settings.json (settings and platform); every entry has name, deployed, source, value.')
param settings array

@description('Values of azure.bicep parameters, by name (source "parameter").')
param parameterValues object

@description('Outputs of the user-assigned managed identity: clientId, tenantId (source "identity").')
param identityValues object

@description('Outputs of other resources, by name (source "resource").')
param resourceValues object

@description('The Key Vault URI, ending with a slash (source "keyvault").')
param keyVaultUri string

var deployed = filter(settings, s => s.deployed)

var literalValues = toObject(filter(deployed, s => s.source == 'literal'), s => s.name, s => s.value)
var fromParameters = toObject(filter(deployed, s => s.source == 'parameter'), s => s.name, s => parameterValues[s.value])
// Versionless reference: App Service picks up a new secret version without a redeploy.
var fromKeyVault = toObject(filter(deployed, s => s.source == 'keyvault'), s => s.name, s => '@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/${s.value}/)')
var fromIdentity = toObject(filter(deployed, s => s.source == 'identity'), s => s.name, s => identityValues[s.value])
var fromResources = toObject(filter(deployed, s => s.source == 'resource'), s => s.name, s => resourceValues[s.value])

resource webApp 'Microsoft.Web/sites@2022-09-01' existing = {
  name: webAppName
}

resource appSettings 'Microsoft.Web/sites/config@2022-09-01' = {
  parent: webApp
  name: 'appsettings'
  properties: union(literalValues, fromParameters, fromKeyVault, fromIdentity, fromResources)
}

output settingNames array = map(deployed, s => s.name)
