// Azure Bot Service registration for the bot, authenticated by the user-assigned managed identity
// (msaAppType UserAssignedMSI: no client secret exists), connected to the Microsoft Teams channel.
// NOT COMPILED HERE: run `az bicep build --file infra/azure.bicep` (it builds this module too).

@minLength(4)
@maxLength(20)
@description('Used to name the bot resource.')
param resourceBaseName string

@maxLength(42)
param botDisplayName string

param botServiceName string = resourceBaseName

@description('F0 is enough: the Teams channel is a standard channel.')
param botServiceSku string = 'F0'

@description('Resource id of the user-assigned managed identity.')
param identityResourceId string

@description('Client id of the managed identity: the bot\'s app id (BOT_ID).')
param identityClientId string

@description('Tenant of the managed identity: the bot\'s home tenant (BOT_TENANT_ID).')
param identityTenantId string

@description('Host name of the Web App, without scheme.')
param botAppDomain string

resource botService 'Microsoft.BotService/botServices@2022-09-15' = {
  kind: 'azurebot'
  location: 'global'
  name: botServiceName
  sku: {
    name: botServiceSku
  }
  properties: {
    displayName: botDisplayName
    endpoint: 'https://${botAppDomain}/api/messages'
    msaAppId: identityClientId
    msaAppMSIResourceId: identityResourceId
    msaAppTenantId: identityTenantId
    msaAppType: 'UserAssignedMSI'
  }
}

resource botServiceMsTeamsChannel 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: botService
  location: 'global'
  name: 'MsTeamsChannel'
  properties: {
    channelName: 'MsTeamsChannel'
  }
}

output botServiceName string = botService.name
