// Cynhwysiant / Inclusion bot: Azure resources for one environment, in one resource group.
//
// NOT COMPILED HERE: the machine this was written on has no Bicep compiler. Before deploying, run
//   az bicep build --file infra/azure.bicep
// and fix anything it reports (docs/deploy.md, step 3). tests/ship only checks what can be checked without it
// (settings.json agrees with src/config.ts; this file loads it; parameters line up).
//
// What it creates:
//   - a user-assigned managed identity: the bot's identity (Bot Service), its Graph identity (Sites.Selected,
//     granted by an administrator afterwards) and the identity that reads Key Vault references;
//   - Azure Bot Service (msaAppType UserAssignedMSI) with the Microsoft Teams channel (botRegistration/azurebot.bicep);
//   - a Linux App Service plan and Web App (Node 20 LTS, HTTPS only, always on);
//   - a Key Vault in RBAC mode; the identity gets 'Key Vault Secrets User'. The UPN_HASH_KEY secret is NOT created
//     here (a redeploy must never rotate it): set it once with `az keyvault secret set` (docs/deploy.md, step 5);
//   - Log Analytics workspace + Application Insights.
// App settings come from ONE list, settings.json, applied by appSettings.bicep.

@minLength(4)
@maxLength(20)
@description('Used to name every resource: letters and digits, globally unique with the suffix (e.g. inclusiondev01).')
param resourceBaseName string

@description('Azure region; defaults to the resource group\'s (UK South for most councils).')
param location string = resourceGroup().location

@description('App Service plan SKU. B1 or above: always on needs Basic or higher; P0v3/P1v3 for production.')
param webAppSku string = 'B1'

@minValue(1)
@maxValue(10)
@description('Number of Web App instances (App Service scale-out). State is in SharePoint and the scheduler takes a lease, so 2+ is safe.')
param instanceCount int = 1

@maxLength(42)
@description('Display name of the Azure Bot resource.')
param botDisplayName string = 'Cynhwysiant - Inclusion bot'

@description('SHAREPOINT_SITE: the site holding the bot\'s lists and library, as host:/path, e.g. contoso.sharepoint.com:/sites/InclusionTrainingPortal.')
param sharePointSite string

@description('ALLOWED_TENANTS: comma-separated tenant ids. Empty = only this deployment\'s tenant.')
param allowedTenants string = ''

@description('ADMINS: comma-separated Entra object ids of the bot\'s administrators.')
param admins string = ''

@allowed([
  'fatal'
  'error'
  'warn'
  'info'
  'debug'
  'trace'
  'silent'
])
@description('LOG_LEVEL of the bot.')
param logLevel string = 'info'

@description('Optional: object id of the person or group who will set Key Vault secrets; granted \'Key Vault Secrets Officer\'. Empty = grant it yourself.')
param keyVaultAdminPrincipalId string = ''

@description('Days Log Analytics keeps logs.')
param logRetentionDays int = 90

var identityName = '${resourceBaseName}-id'
var serverfarmName = '${resourceBaseName}-plan'
var webAppName = resourceBaseName
var keyVaultName = 'kv-${resourceBaseName}'
var workspaceName = '${resourceBaseName}-logs'
var appInsightsName = '${resourceBaseName}-ai'

// Built-in role definition ids (the same in every tenant).
var keyVaultSecretsUserRoleId = '4633458b-17de-408a-b874-0445c86b69e6'
var keyVaultSecretsOfficerRoleId = 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'

// The single source of truth for app settings.
var settingsFile = loadJsonContent('settings.json')

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: identityName
  location: location
}

resource workspace 'Microsoft.OperationalInsights/workspaces@2022-10-01' = {
  name: workspaceName
  location: location
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: logRetentionDays
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: appInsightsName
  location: location
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
  }
}

resource keyVault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: keyVaultName
  location: location
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
  }
}

// The app reads its Key Vault references with the managed identity.
resource identityReadsSecrets 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(keyVault.id, identity.id, keyVaultSecretsUserRoleId)
  scope: keyVault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUserRoleId)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// In RBAC mode nobody can write a secret until granted; optionally grant the council's administrator.
resource adminWritesSecrets 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(keyVaultAdminPrincipalId)) {
  name: guid(keyVault.id, keyVaultAdminPrincipalId, keyVaultSecretsOfficerRoleId)
  scope: keyVault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsOfficerRoleId)
    principalId: keyVaultAdminPrincipalId
  }
}

resource serverfarm 'Microsoft.Web/serverfarms@2022-09-01' = {
  name: serverfarmName
  location: location
  kind: 'linux'
  sku: {
    name: webAppSku
    capacity: instanceCount
  }
  properties: {
    reserved: true // Linux
  }
}

resource webApp 'Microsoft.Web/sites@2022-09-01' = {
  name: webAppName
  location: location
  kind: 'app,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    serverFarmId: serverfarm.id
    httpsOnly: true
    // Any instance can serve any request: state is in SharePoint, not in memory.
    clientAffinityEnabled: false
    keyVaultReferenceIdentity: identity.id
    siteConfig: {
      linuxFxVersion: 'NODE|20-lts'
      alwaysOn: true
      // The package is built before deployment (m365agents.yml deploy); starting must not need TypeScript.
      appCommandLine: 'node dist/src/index.js'
      ftpsState: 'Disabled'
      minTlsVersion: '1.2'
      http20Enabled: true
      // Application settings are applied by appSettings.bicep, from settings.json.
    }
  }
  dependsOn: [
    identityReadsSecrets
  ]
}

// All application settings, from settings.json. A module, so that runtime values (the identity's client id,
// the vault URI, the Application Insights connection string) arrive as parameters it can loop over.
module appSettings './appSettings.bicep' = {
  name: 'Inclusion-app-settings'
  params: {
    webAppName: webApp.name
    settings: concat(settingsFile.settings, settingsFile.platform)
    parameterValues: {
      sharePointSite: sharePointSite
      allowedTenants: empty(allowedTenants) ? subscription().tenantId : allowedTenants
      admins: admins
      logLevel: logLevel
    }
    identityValues: {
      clientId: identity.properties.clientId
      tenantId: identity.properties.tenantId
    }
    resourceValues: {
      appInsightsConnectionString: appInsights.properties.ConnectionString
    }
    keyVaultUri: keyVault.properties.vaultUri
  }
}

// Register the web service as a bot with the Bot Framework, using the managed identity.
module azureBotRegistration './botRegistration/azurebot.bicep' = {
  name: 'Inclusion-bot-registration'
  params: {
    resourceBaseName: resourceBaseName
    botDisplayName: botDisplayName
    identityResourceId: identity.id
    identityClientId: identity.properties.clientId
    identityTenantId: identity.properties.tenantId
    botAppDomain: webApp.properties.defaultHostName
  }
}

// The toolkit (arm/deploy) writes these outputs into env/.env.<env>; docs/deploy.md explains each one.
output BOT_AZURE_APP_SERVICE_RESOURCE_ID string = webApp.id
output BOT_DOMAIN string = webApp.properties.defaultHostName
output BOT_ENDPOINT string = 'https://${webApp.properties.defaultHostName}'
output BOT_ID string = identity.properties.clientId
output BOT_TENANT_ID string = identity.properties.tenantId
output IDENTITY_PRINCIPAL_ID string = identity.properties.principalId
output KEY_VAULT_NAME string = keyVault.name
output KEY_VAULT_URI string = keyVault.properties.vaultUri
output APPLICATIONINSIGHTS_NAME string = appInsights.name
